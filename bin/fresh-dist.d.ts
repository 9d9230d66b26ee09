/** Types of fresh-dist.js (plain JavaScript, read by bin/reel.js before any loader is registered). */
export declare const STAMP_NAME: string;
export declare const DIST_STAMP: string;
export declare function staleDistReason(root: string): string | undefined;
