/**
 * The ways a secret may be written in what a server echoes: raw, form-encoded (as in the
 * token request body), percent-encoded (either hex case) and JSON-escaped.
 *
 * @internal
 */
export const encodings = (secret: string): ReadonlyArray<string> => {
  if (secret === "") return []
  const percent = percentEncoded(secret)
  const variants = new Set([
    secret,
    new URLSearchParams({ s: secret }).toString().slice(2),
    ...(percent === undefined ? [] : [percent, percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())]),
    JSON.stringify(secret).slice(1, -1)
  ])
  // longest first, so that an encoding is not half-replaced by a shorter one
  return [...variants].sort((a, b) => b.length - a.length)
}

// a lone surrogate has no percent-encoding (`encodeURIComponent` throws): the options
// refuse such a secret, and a token of one's own that holds one is redacted as written
const percentEncoded = (text: string): string | undefined => {
  try {
    return encodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** @internal */
export const redactAll = (text: string, secrets: Iterable<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret !== "" && out.includes(secret)) out = out.split(secret).join("<redacted>")
  }
  return out
}
