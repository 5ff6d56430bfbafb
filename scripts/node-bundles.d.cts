import type { BuildOptions, LogLevel } from 'esbuild';

/** Packages the Node bundles load at run time instead of carrying them. */
export declare const nodeExternals: string[];

/** esbuild options of the CLI and the engine process (see node-bundles.cjs). */
export declare function nodeProgramBuilds(options: { outdir: string; root?: string; sourcemap?: boolean | 'linked'; minify?: boolean; logLevel?: LogLevel }): BuildOptions[];
