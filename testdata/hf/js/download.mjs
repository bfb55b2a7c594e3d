// Downloads with @huggingface/hub against a Hub-compatible endpoint, as a user would.
// usage: node download.mjs HUB_URL snapshot REPO (model|dataset) CACHE_DIR [REVISION]
//        node download.mjs HUB_URL file REPO (model|dataset) OUT_FILE PATH [REVISION]
// Prints the snapshot folder (snapshot) or the number of bytes written (file).
import { snapshotDownload, downloadFile } from "@huggingface/hub";
import { writeFile } from "node:fs/promises";

const [hubUrl, mode, name, type, target, arg6, arg7] = process.argv.slice(2);
const repo = { type, name };
if (mode === "snapshot") {
  const folder = await snapshotDownload({ repo, hubUrl, cacheDir: target, ...(arg6 ? { revision: arg6 } : {}) });
  console.log(folder);
} else {
  const blob = await downloadFile({ repo, hubUrl, path: arg6, ...(arg7 ? { revision: arg7 } : {}) });
  if (!blob) throw new Error("not found: " + arg6);
  const bytes = Buffer.from(await blob.arrayBuffer());
  await writeFile(target, bytes);
  console.log(bytes.length);
}
