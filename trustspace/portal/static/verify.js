// trustspace portal: hash the chosen document in the browser (WebCrypto SHA-256) and send only
// its digest and the proof bundle to /api/verify. No framework, nothing fetched from elsewhere.
"use strict";
(function () {
  const form = document.getElementById("verify-form");
  const result = document.getElementById("result");
  const MAX_BUNDLE = 64 * 1024;

  // RFC 8785 (JSON Canonicalization Scheme): ECMAScript number and string serialization,
  // object members sorted by their UTF-16 code units (what Array.prototype.sort compares).
  function canonical(value) {
    if (value === null || typeof value !== "object") {
      if (typeof value === "number" && !Number.isFinite(value)) throw new Error("not JSON: " + value);
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }

  function hex(buffer) {
    return "0x" + Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function digestOf(file, encoding) {
    let bytes = new Uint8Array(await file.arrayBuffer());
    if (encoding === "json-rfc8785") {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      bytes = new TextEncoder().encode(canonical(JSON.parse(text)));
    }
    return hex(await crypto.subtle.digest("SHA-256", bytes));
  }

  function show(kind, title, rows) {
    result.replaceChildren();
    const box = document.createElement("div");
    box.className = "verdict " + kind;
    const h = document.createElement("h3");
    h.textContent = title;
    box.appendChild(h);
    const dl = document.createElement("dl");
    dl.className = "facts";
    for (const [label, value] of rows) {
      if (value === null || value === undefined || value === "") continue;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = String(value);  // text, never HTML: bundle values are the sender's claims
      dl.append(dt, dd);
    }
    box.appendChild(dl);
    result.appendChild(box);
  }

  function yesNo(flag) { return flag ? "yes" : "no"; }

  async function verify(event) {
    event.preventDefault();
    const documentFile = document.getElementById("document").files[0];
    const bundleFile = document.getElementById("bundle").files[0];
    if (!documentFile || !bundleFile) {
      show("bad", "Choose both files", [["What to do", "choose the document and its proof bundle"]]);
      return;
    }
    if (bundleFile.size > MAX_BUNDLE) {
      show("bad", "Bundle refused", [["Reason", "the bundle is over " + MAX_BUNDLE + " bytes"]]);
      return;
    }
    result.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Checking…" }));
    let bundleText;
    let digest;
    try {
      // The bundle goes to the portal as the file's text: the server parses it strictly
      // (a repeated member name is refused there; JSON.parse would keep the last one).
      bundleText = await bundleFile.text();
      const bundle = JSON.parse(bundleText);
      const encoding = (bundle && bundle.document && bundle.document.encoding) || "bytes";
      digest = await digestOf(documentFile, encoding);
    } catch (err) {
      show("bad", "Not checked", [["Reason", "cannot read the files: " + err.message]]);
      return;
    }
    let answer;
    try {
      const response = await fetch("/api/verify", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ digest: digest, bundle: bundleText }),
      });
      answer = await response.json();
    } catch (err) {
      show("bad", "Not checked", [["Reason", "the portal did not answer: " + err.message]]);
      return;
    }
    if (answer.error) {
      show("bad", "Not checked", [["Reason", answer.error], ["Digest", digest]]);
      return;
    }
    show(answer.valid ? "ok" : "bad", answer.valid ? "Valid" : "Not valid", [
      ["Status", answer.status],
      ["Reason", answer.reason],
      ["Included", yesNo(answer.included)],
      ["Valid", yesNo(answer.valid)],
      ["Organisation", answer.organisation ? answer.organisation + " (" + answer.org_id + ")" : null],
      ["Attested", answer.attested_at],
      ["Revoked", answer.revoked_at],
      ["Revocation reason", answer.revocation_reason],
      ["Chain", answer.chain ? answer.chain + " (" + answer.chain_id + ")" : answer.chain_id],
      ["Record", answer.record_id],
      ["Digest", answer.digest],
      ["Mirrored copies", (answer.mirrored || []).map((m) => m.chain + ": " + m.status).join(", ")],
    ]);
  }

  function dropZone(zoneId, inputId) {
    const zone = document.getElementById(zoneId);
    const input = document.getElementById(inputId);
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer.files.length) input.files = e.dataTransfer.files;
    });
  }

  dropZone("document-drop", "document");
  dropZone("bundle-drop", "bundle");
  form.addEventListener("submit", verify);
})();
