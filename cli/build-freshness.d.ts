/** The types of cli/build-freshness.js (plain JavaScript: the launcher needs it before any TypeScript runs). */

/** The folder tsconfig.build.json compiles into, relative to the project root. */
export const BUILD_DIR: string;
/** The build's stamp file inside BUILD_DIR: when the build began and the files it compiled. */
export const STAMP_FILE: string;
/** The compiled entry point, relative to the project root. */
export const BUILT_MAIN: string;
/** The compiled CLI's entry point under `root`, or undefined when it is missing or older than a source. */
export function freshBuildMain(root: string): string | undefined;
