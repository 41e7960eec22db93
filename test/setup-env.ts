import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads these when it is first loaded: keep it quiet and away from the user's ~/.n8n.
process.env.N8N_LOG_LEVEL = 'silent';
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-apiinone-test-'));
