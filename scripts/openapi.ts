/** Writes every service's OpenAPI document to a folder (default .data/openapi): `npm run openapi -- [folder]`. */
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../src/config';
import { SERVICE_CONTRACTS } from '../src/contracts';
import { openApiDocument } from '../src/contracts/openapi';
import { SERVICE_NAMES } from '../src/services/catalog';

const dir = path.resolve(process.argv[2] ?? path.join(DATA_DIR, 'openapi'));
fs.mkdirSync(dir, { recursive: true });
for (const name of SERVICE_NAMES) {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(openApiDocument(name, SERVICE_CONTRACTS[name]), null, 2)}\n`);
  console.log(file);
}
