/* The self-check under each numeric question (book/records/practice.py writes the forms).
 *
 * The page holds, for each answer, the SHA-256 of its canonical form salted with the
 * question id and the answer's name; never the answer itself. This script reads what the
 * reader typed, brings it to the same canonical form as the Python side (integer: "-12";
 * decimal: rounded half away from zero to the stated places, "0.13"; shape: "128x64x64";
 * list: "4,-7,-3"; choice: lower case, single-spaced), hashes it and compares. Rounding
 * works on the decimal digits (BigInt), never on binary floats. SHA-256 is computed here
 * (no crypto.subtle: it is missing on pages served over plain http from another machine),
 * so the check works offline, from file:// as from a server.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- SHA-256 (FIPS 180-4)
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2]);

  function sha256(text) {
    const bytes = new TextEncoder().encode(text);
    const bitLength = bytes.length * 8;
    const total = Math.ceil((bytes.length + 9) / 64) * 64;
    const msg = new Uint8Array(total);
    msg.set(bytes);
    msg[bytes.length] = 0x80;
    const view = new DataView(msg.buffer);
    view.setUint32(total - 8, Math.floor(bitLength / 0x100000000));
    view.setUint32(total - 4, bitLength >>> 0);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
                               0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < total; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const ch = (e & f) ^ (~e & g);
        const t1 = (hh + S1 + ch + K[i] + w[i]) >>> 0;
        const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    return Array.from(h, (x) => x.toString(16).padStart(8, "0")).join("");
  }

  // ---------------------------------------------------------------- reading numbers
  class Unreadable extends Error {}

  // Unicode minus signs and dashes read as "-"; NFKC folds full-width digits and spaces.
  function tidy(text) {
    return text.normalize("NFKC").replace(/[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g, "-").trim();
  }

  const NUMBER = /^([+-])?(?:(\d{1,3}(?:[, ]\d{3})+)|(\d*))(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
  const PLAIN_NUMBER = /^([+-])?()(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

  // A number as {sign, m, e}: value = sign * m * 10^e, m a BigInt.
  function readNumber(text, grouping) {
    const t = tidy(text);
    const match = (grouping ? NUMBER : PLAIN_NUMBER).exec(t);
    const whole = match ? (match[2] || match[3] || "").replace(/[, ]/g, "") : "";
    const frac = match ? match[4] || "" : "";
    if (!match || (whole + frac) === "") {
      throw new Unreadable(`"${t}" is not a number: write it like 0.25, .25, 2.5e-1` +
                           (grouping ? " or 1,234.5" : ""));
    }
    const exp = match[5] ? parseInt(match[5], 10) : 0;
    if (Math.abs(exp) > 400) throw new Unreadable(`"${t}": the exponent is out of range`);
    return { sign: match[1] === "-" ? -1 : 1, m: BigInt(whole + frac || "0"),
             e: exp - frac.length };
  }

  // Rounded half away from zero to `decimals` places, with exactly that many places.
  function roundText(num, decimals) {
    const shift = num.e + decimals;
    let n;
    if (shift >= 0) {
      n = num.m * 10n ** BigInt(shift);
    } else {
      const unit = 10n ** BigInt(-shift);
      n = num.m / unit;
      if (2n * (num.m % unit) >= unit) n += 1n;
    }
    const text = n.toString().padStart(decimals + 1, "0");
    const body = decimals ? `${text.slice(0, -decimals)}.${text.slice(-decimals)}` : text;
    return (num.sign < 0 && n !== 0n ? "-" : "") + body;
  }

  function wholeNumber(num, t) {
    if (num.e < 0 && num.m % 10n ** BigInt(-num.e) !== 0n) {
      throw new Unreadable(`"${tidy(t)}" is not a whole number`);
    }
    return roundText(num, 0);
  }

  function items(text) {
    let t = tidy(text);
    const pair = /^[([{]\s*(.*?)\s*[)\]}]$/.exec(t);
    if (pair) t = pair[1];
    return t;
  }

  function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

  // The canonical form of what the reader typed (throws Unreadable with a message).
  function canonical(kind, decimals, text, count) {
    if (tidy(text) === "") throw new Unreadable("Type an answer first.");
    if (kind === "integer") return wholeNumber(readNumber(text, true), text);
    if (kind === "decimal") return roundText(readNumber(text, true), decimals);
    if (kind === "shape") {
      const t = items(text);
      const parts = t.split(/\s*[x×X*,;]\s*|\s+/).filter((p) => p !== "");
      if (!parts.length) throw new Unreadable("Type the sizes, like 128 x 64 x 64.");
      for (const p of parts) {
        if (!/^\d+$/.test(p)) {
          throw new Unreadable(`"${p}" is not a size: a shape is whole numbers separated ` +
                               "by ×, x or commas, like 128 x 64 x 64");
        }
      }
      if (count && parts.length !== count) {
        throw new Unreadable(`The answer has ${plural(count, "size")}; you gave ` +
                             `${parts.length}.`);
      }
      return parts.map((p) => BigInt(p).toString()).join("x");
    }
    if (kind === "list") {
      const parts = items(text).split(/\s*[,;]\s*|\s+/).filter((p) => p !== "");
      if (count && parts.length !== count) {
        throw new Unreadable(`The answer has ${plural(count, "number")}; you gave ` +
                             `${parts.length}.`);
      }
      return parts.map((p) => roundText(readNumber(p, false), decimals)).join(",");
    }
    if (kind === "choice") {
      const t = tidy(text).toLowerCase().replace(/\s+/g, " ").trim();
      return t.replace(/^[ .,;:!?"'`()[\]{}]+|[ .,;:!?"'`()[\]{}]+$/g, "");
    }
    throw new Unreadable(`unknown kind of answer: ${kind}`);
  }

  function digest(qid, name, form) { return sha256(`dlcalc|${qid}|${name}|${form}`); }

  // ---------------------------------------------------------------- the forms
  function check(form) {
    const qid = form.dataset.qid;
    for (const row of form.querySelectorAll(".dlcalc-selfcheck-row")) {
      const input = row.querySelector("input");
      const out = row.querySelector(".dlcalc-selfcheck-result");
      const tolerance = row.querySelector(".dlcalc-selfcheck-tolerance").textContent;
      const digests = row.dataset.digests.split(" ");
      let verdict;
      let state;
      try {
        const typed = canonical(row.dataset.kind, parseInt(row.dataset.decimals, 10),
                               input.value, parseInt(row.dataset.count, 10));
        if (digests.includes(digest(qid, row.dataset.name, typed))) {
          state = "right";
          verdict = `Right (${tolerance}).`;
        } else {
          state = "not-yet";
          verdict = `Not yet (${tolerance}). Try again, or open the solution below.`;
        }
      } catch (err) {
        if (!(err instanceof Unreadable)) throw err;
        state = "unreadable";
        verdict = err.message;
      }
      out.textContent = verdict;
      row.dataset.state = state;
      input.setAttribute("aria-invalid", state === "right" ? "false" : "true");
    }
  }

  function attach() {
    for (const form of document.querySelectorAll("form.dlcalc-selfcheck")) {
      form.addEventListener("submit", (event) => { event.preventDefault(); check(form); });
    }
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach);
    else attach();
  }
  if (typeof module !== "undefined" && module.exports) {
    module.exports = { sha256, canonical, digest, readNumber, roundText, Unreadable };
  }
})();
