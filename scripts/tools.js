// The system tools the notebook steps need (Debian's Jupyter, Chromium): fail with the
// exact install command when one is missing, never skip.
'use strict';
const { spawnSync } = require('node:child_process');

const APT = 'apt-get update && apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-notebook chromium';

function ok(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** Which of the tools are missing (each with the reason). */
function missingTools({ jupyter = true, chromium = false } = {}) {
  const miss = [];
  if (jupyter) {
    if (!ok('jupyter', ['nbconvert', '--version'])) miss.push('jupyter nbconvert (jupyter-nbconvert)');
    if (!ok('/usr/bin/python3', ['-c', 'import nbclient, jupyter_client, ipykernel'])) miss.push('nbclient / jupyter_client / ipykernel for /usr/bin/python3 (python3-nbclient jupyter-client python3-ipykernel)');
  }
  if (chromium && !ok('chromium', ['--version'])) miss.push('chromium');
  return miss;
}

/** Exit 1 with the install command if a tool is missing. */
function requireTools(which) {
  const miss = missingTools(which);
  if (miss.length) {
    console.error(`The notebook tests need Debian's Jupyter and Chromium. Missing: ${miss.join('; ')}.\nInstall them with (as root):\n  ${APT}`);
    process.exit(1);
  }
}

module.exports = { APT, missingTools, requireTools };

if (require.main === module) {
  // `node scripts/tools.js`: fail early (before the long steps of npm test) if a tool is missing
  requireTools({ jupyter: true, chromium: true });
}
