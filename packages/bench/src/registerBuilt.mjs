// `node --import` this file to load the built packages (see builtPackages.mjs).
import { register } from "node:module"

register("./builtPackages.mjs", import.meta.url)
