/** Run a benchmark with console.log captured: its exit code and the lines it printed. */
export function capture(f: () => number): { code: number; lines: string[] } {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    return { code: f(), lines };
  } finally {
    console.log = orig;
  }
}
