// The work of benches/renditions.rs done by sharp (libvips): the same input JPEG to the same eight
// renditions (640, 1024, 1920 and 3840 px wide, never enlarged, each as WebP and JPEG at quality
// 80, sharp's defaults otherwise), one pipeline at a time on one libvips thread.
import { readFile } from "node:fs/promises";
import sharp from "sharp";

const input = await readFile(process.argv[2] ?? "../../target/renditions-input.jpg");
const widths = [3840, 1920, 1024, 640];
sharp.concurrency(1);
sharp.cache(false);

async function allRenditions() {
  let made = 0;
  for (const width of widths) {
    for (const format of ["webp", "jpeg"]) {
      const pipeline = sharp(input).resize({ width, withoutEnlargement: true, kernel: "lanczos3" });
      const out = await (format === "webp" ? pipeline.webp({ quality: 80 }) : pipeline.jpeg({ quality: 80 })).toBuffer();
      if (out.length === 0) throw new Error("empty output");
      made += 1;
    }
  }
  return made;
}

await allRenditions(); // warm-up
const runs = Number(process.env.RUNS ?? 5);
const start = process.hrtime.bigint();
let made = 0;
for (let i = 0; i < runs; i += 1) made += await allRenditions();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}): ${(made / seconds).toFixed(2)} renditions/s (single thread)`);
