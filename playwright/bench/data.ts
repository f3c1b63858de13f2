// Test data shared by the benchmarks.

/** A CSV export of `items` login items spread over 40 clients, 7 sites each, and 13 tags. */
export function vaultCsv(items: number): string {
  const lines = ['title,url,username,password,folder,tags,notes'];
  for (let i = 0; i < items; i += 1) {
    const n = String(i).padStart(5, '0');
    const client = `Client ${String(i % 40).padStart(2, '0')}`;
    lines.push(`Item ${n} portal,https://app${i}.client${i % 40}.example/login,user${n}@client${i % 40}.example,pw-${n}-${(i * 7919) % 100000},${client}/Site ${i % 7},tag${i % 13},"note ${n}"`);
  }
  return lines.join('\n');
}

/** `items` login items all inside one folder "Servers" (in 40 client subfolders), to share. */
export function sharedFolderCsv(items: number): string {
  return vaultCsv(items).replace(/,Client (\d\d)\/Site \d,/g, ',Servers/Client $1,');
}
