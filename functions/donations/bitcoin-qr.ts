// The QR code for the donate page's Bitcoin address: a BIP 21 `bitcoin:` URI encoded with uqr at render time and
// drawn as one SVG path (no images, no scripts, no third-party requests). Used by src/components/BitcoinDonation.astro.
import { encode } from "uqr";

export interface QrSvg {
  /** The side of the square in modules, including the quiet zone. */
  size: number;
  /** An SVG path drawing every dark module as a 1×1 square. */
  path: string;
}

/** The BIP 21 payment URI wallets open for an address. */
export function bitcoinUri(address: string): string {
  return `bitcoin:${address}`;
}

/** QR modules for `text` as one SVG path, with the standard four-module quiet zone and medium error correction. */
export function qrSvgPath(text: string): QrSvg {
  const qr = encode(text, { ecc: "M", border: 4 });
  const parts: string[] = [];
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) parts.push(`M${x} ${y}h1v1h-1z`);
    });
  });
  return { size: qr.size, path: parts.join("") };
}
