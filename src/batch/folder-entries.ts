/**
 * Reading one folder's entries as plain files and subfolders: hidden names skipped, symbolic links
 * followed (a shared `face.mp4` linked into every sample folder is a normal way to lay samples out).
 */
import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FolderEntries {
  files: string[];
  folders: string[];
  /** Links whose target is gone: listed as files, so a sample that binds one can say so. */
  brokenLinks: Set<string>;
}

/** The visible files and subfolders of `dir`, each list sorted by code unit. Throws what opendir throws. */
export async function readFolderEntries(dir: string): Promise<FolderEntries> {
  const entries: FolderEntries = { files: [], folders: [], brokenLinks: new Set() };
  // opendir streams the listing in small reads instead of building one array of every Dirent.
  for await (const dirent of await opendir(dir)) {
    if (dirent.name.startsWith('.')) continue;
    if (dirent.isDirectory()) entries.folders.push(dirent.name);
    else if (dirent.isFile()) entries.files.push(dirent.name);
    else if (dirent.isSymbolicLink()) await classifyLink(path.join(dir, dirent.name), dirent.name, entries);
  }
  entries.files.sort();
  entries.folders.sort();
  return entries;
}

async function classifyLink(full: string, name: string, entries: FolderEntries): Promise<void> {
  const target = await stat(full).catch(() => undefined);
  if (target === undefined) {
    entries.files.push(name);
    entries.brokenLinks.add(name);
  } else if (target.isDirectory()) entries.folders.push(name);
  else if (target.isFile()) entries.files.push(name);
}

/** `ENOENT`-style code of a failed fs call, as a short reason for a message. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a folder';
  return (err as Error).message;
}
