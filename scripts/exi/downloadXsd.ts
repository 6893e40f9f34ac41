// Downloads the ISO 15118-2 and -20 XML schemas from standards.iso.org into xsd/ (the layout `npm run exi:generate`
// reads), for users who regenerate the codecs. The schemas are ISO copyright: downloading them means accepting the
// ISO Customer Licence Agreement, which is why this project ships the generated code and not the XSDs.
// DIN SPEC 70121's schemas are not published there; put them in xsd/din_spec/ yourself (the generator keeps the
// committed DIN codec when they are missing).
//
//   npm run exi:download-xsd -- [--out xsd]
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SOURCES = [
  {
    url: 'https://standards.iso.org/iso/15118/-2/ed-2/en/',
    dir: 'iso15118_2',
    files: ['V2G_CI_AppProtocol.xsd', 'V2G_CI_MsgDef.xsd', 'V2G_CI_MsgBody.xsd', 'V2G_CI_MsgDataTypes.xsd', 'V2G_CI_MsgHeader.xsd', 'xmldsig-core-schema.xsd'],
  },
  {
    url: 'https://standards.iso.org/iso/15118/-20/ed-1/en/',
    dir: 'iso15118_20',
    files: ['V2G_CI_AC.xsd', 'V2G_CI_ACDP.xsd', 'V2G_CI_AppProtocol.xsd', 'V2G_CI_CommonMessages.xsd', 'V2G_CI_CommonTypes.xsd', 'V2G_CI_DC.xsd', 'V2G_CI_WPT.xsd', 'xmldsig-core-schema.xsd'],
  },
] as const;

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const out = resolve(i >= 0 ? process.argv[i + 1]! : 'xsd');
  for (const source of SOURCES) {
    mkdirSync(join(out, source.dir), { recursive: true });
    for (const file of source.files) {
      const response = await fetch(new URL(file, source.url), { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`${source.url}${file}: HTTP ${response.status}`);
      const text = await response.text();
      if (!/<(xs:|xsd:)?schema[\s>]/.test(text)) throw new Error(`${source.url}${file} is not an XML schema`);
      writeFileSync(join(out, source.dir, file), text);
      console.log(`${source.dir}/${file} (${text.length} bytes)`);
    }
  }
  // The generator reads the handshake and xmldsig schemas from the top of the folder.
  copyFileSync(join(out, 'iso15118_2', 'V2G_CI_AppProtocol.xsd'), join(out, 'V2G_CI_AppProtocol.xsd'));
  copyFileSync(join(out, 'iso15118_2', 'xmldsig-core-schema.xsd'), join(out, 'xmldsig-core-schema.xsd'));
  console.log(`written to ${out}; now run: npm run exi:generate -- --schemas ${out}`);
}

await main();
