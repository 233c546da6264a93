// The README's way to open the notebooks interactively: Debian's classic Jupyter Notebook
// (jupyter-notebook 6.4; JupyterLab is not packaged in Debian). Started headless on a free
// localhost port with a token, it must list the notebooks over HTTP, then stop with nothing left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** whether any process of group `pgid` is alive */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('jupyter notebook (Debian\'s jupyter-notebook) serves the notebooks list on localhost with a token, then stops with no process left', async (t) => {
  const v = spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) {
    t.skip('jupyter-notebook is not installed (apt-get install -y --no-install-recommends jupyter-notebook; .ci/run installs it)');
    return;
  }
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const home = mkdtempSync(join(tmpdir(), 'mmlock-jupyter-'));
  for (const d of ['data', 'config', 'runtime']) rmSync(join(home, d), { recursive: true, force: true });
  const argv = ['notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${root}`,
    ...(process.getuid?.() === 0 ? ['--allow-root'] : [])];
  // the README's environment: the project-local kernel spec folder and node_modules/.bin on PATH; the rest in a temporary folder
  const child = spawn('jupyter', argv, {
    cwd: root,
    detached: true, // its own process group, so that the kernel and helpers stop with it
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
      JUPYTER_PATH: join(root, 'build', 'jupyter', 'share', 'jupyter'),
      JUPYTER_DATA_DIR: join(home, 'data'),
      JUPYTER_CONFIG_DIR: join(home, 'config'),
      JUPYTER_RUNTIME_DIR: join(home, 'runtime'),
      JUPYTER_PLATFORM_DIRS: '1',
    },
  });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pgid = child.pid!;
  try {
    const base = `http://127.0.0.1:${port}`;
    let res: Response | null = null;
    const deadline = Date.now() + 90_000; // a busy 2-core machine: Jupyter takes a few seconds to start
    while (Date.now() < deadline) {
      if (child.exitCode !== null) assert.fail(`jupyter notebook exited with ${child.exitCode}:\n${log}`);
      try {
        res = await fetch(`${base}/api/contents/notebooks?token=${token}`);
        break;
      } catch {
        await sleep(300);
      }
    }
    assert.ok(res, `jupyter notebook did not answer on port ${port} within 90 s:\n${log}`);
    assert.equal(res.status, 200, log);
    const listing = (await res.json()) as { type: string; content: { name: string; type: string }[] };
    assert.equal(listing.type, 'directory');
    const served = listing.content.filter((c) => c.type === 'notebook').map((c) => c.name).sort();
    const ours = readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();
    assert.ok(ours.length >= 7, ours.join(' '));
    assert.deepEqual(served, ours);
    // the token is what lets us in: without it, the API refuses
    const anon = await fetch(`${base}/api/contents/notebooks`);
    assert.equal(anon.status, 403);
  } finally {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGTERM');
    const stopBy = Date.now() + 15_000;
    while (groupAlive(pgid) && Date.now() < stopBy) await sleep(100);
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
  assert.equal(groupAlive(pgid), false, 'a process of jupyter notebook\'s group is still running');
});
