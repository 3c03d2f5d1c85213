/**
 * The ways a secret may be written in what a server echoes: raw, form-encoded (as in the
 * token request body), percent-encoded (either hex case) and JSON-escaped.
 *
 * @internal
 */
export const encodings = (secret: string): ReadonlyArray<string> => {
  if (secret === "") return []
  const percent = encodeURIComponent(secret)
  const variants = new Set([
    secret,
    new URLSearchParams({ s: secret }).toString().slice(2),
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    JSON.stringify(secret).slice(1, -1)
  ])
  // longest first, so that an encoding is not half-replaced by a shorter one
  return [...variants].sort((a, b) => b.length - a.length)
}

/** @internal */
export const redactAll = (text: string, secrets: Iterable<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret !== "" && out.includes(secret)) out = out.split(secret).join("<redacted>")
  }
  return out
}
