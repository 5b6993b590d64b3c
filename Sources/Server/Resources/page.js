// The page of `sample serve`: a scene-graph editor over GET /v1/model's vocabulary, and the
// generations it asks for, each followed through its event stream. Plain script, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { model: null, objects: [], frames: [[]], frame: 0, mode: "image", generations: 0 };

// The token comes from the URL fragment (#token=…, never sent to the server in the URL) or the field.
function token() { return $("token").value.trim(); }
function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (token()) h["Authorization"] = "Bearer " + token();
  return h;
}
async function api(path, options) {
  const o = Object.assign({}, options || {});
  o.headers = headers(o.headers);
  return fetch(path, o);
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value; o.textContent = text === undefined ? value : text;
  select.appendChild(o);
}

async function loadModel() {
  const response = await api("/v1/model");
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    $("model-line").textContent = "Cannot read the model: " + ((body.error && body.error.message) || response.status);
    $("model-line").classList.add("error-text");
    return;
  }
  const model = await response.json();
  state.model = model;
  $("model-line").classList.remove("error-text");
  const m = model.image_model;
  $("model-line").textContent = `${m.file || "model"} · ${m.image_size} px · ${model.objects.length} objects, ` +
    `${model.predicates.length} predicates · at most ${model.limits.objects} objects and ${model.limits.triples} triples`;
  $("object-choice").innerHTML = ""; $("relation-predicate").innerHTML = ""; $("sampler").innerHTML = "";
  model.objects.forEach((name) => option($("object-choice"), name));
  model.predicates.forEach((name) => option($("relation-predicate"), name));
  model.samplers.forEach((name) => option($("sampler"), name));
  $("sampler").value = model.defaults.sampler;
  $("guidance").value = model.defaults.guidance;
  $("seed").value = model.defaults.seed;
  $("count").max = model.limits.count;
  $("size").min = model.limits.size.min; $("size").step = model.limits.size.multiple_of; $("size").max = model.limits.size.max;
  const video = model.video_model;
  // A video model without frame positions is the image model drawing every frame from the same noise.
  const baseline = !!video && video.frames === null;
  $("mode-frames").disabled = !video;
  $("video-note").hidden = !!video && !baseline;
  if (!video) $("video-note").textContent = "No video model is loaded (start the server with --video-model PATH), so clips are off.";
  if (baseline) $("video-note").textContent = "No video model is loaded: the image model draws every frame from the same noise, smooth while the relations hold, with a jump where one changes.";
  render();
}

// The request's graph part, from the editor's state.
function graphOf(frame) {
  return { objects: state.objects.slice(), relationships: state.frames[frame].map((r) => r.slice()) };
}
function document_() {
  if (state.mode === "frames") return { frames: state.frames.map((_, i) => graphOf(i)) };
  return { graph: graphOf(0) };
}

// One line per list, one graph per frame: short enough to read at a glance, still plain JSON.
function pretty(doc) {
  const graph = (g, pad) => `{\n${pad}  "objects": ${JSON.stringify(g.objects)},\n${pad}  "relationships": ${JSON.stringify(g.relationships)}\n${pad}}`;
  if (doc.frames) return `{"frames": [\n${doc.frames.map((g) => "  " + graph(g, "  ")).join(",\n")}\n]}`;
  return `{"graph": ${graph(doc.graph, "")}}`;
}

function render() {
  const objects = $("object-list");
  objects.innerHTML = "";
  state.objects.forEach((name, i) => {
    const li = document.createElement("li");
    li.id = `object-${i}`; li.textContent = name;
    const remove = document.createElement("button");
    remove.type = "button"; remove.textContent = "remove"; remove.id = `object-${i}-remove`;
    remove.onclick = () => removeObject(i);
    li.appendChild(remove);
    objects.appendChild(li);
  });
  for (const id of ["relation-subject", "relation-object"]) {
    const select = $(id), keep = select.value;
    select.innerHTML = "";
    state.objects.forEach((name, i) => option(select, String(i), `${i}: ${name}`));
    if (keep !== "" && Number(keep) < state.objects.length) select.value = keep;
  }
  if (state.objects.length > 1 && $("relation-object").value === $("relation-subject").value) $("relation-object").value = "1";
  const relations = $("relation-list");
  relations.innerHTML = "";
  state.frames[state.frame].forEach((r, i) => {
    const li = document.createElement("li");
    li.id = `relation-${i}`;
    li.textContent = `${state.objects[r[0]] ?? r[0]} — ${r[1]} — ${state.objects[r[2]] ?? r[2]}`;
    const remove = document.createElement("button");
    remove.type = "button"; remove.textContent = "remove"; remove.id = `relation-${i}-remove`;
    remove.onclick = () => { state.frames[state.frame].splice(i, 1); changed(); };
    li.appendChild(remove);
    relations.appendChild(li);
  });
  const frames = state.mode === "frames";
  $("frame-controls").hidden = !frames;
  $("frame-label").textContent = frames ? `(frame ${state.frame} of ${state.frames.length})` : "";
  $("frame-choice").innerHTML = "";
  state.frames.forEach((_, i) => option($("frame-choice"), String(i), `frame ${i}`));
  $("frame-choice").value = String(state.frame);
  if (document.activeElement !== $("graph-json")) $("graph-json").value = pretty(document_());
}

function changed() { clearErrors(); render(); }

function removeObject(i) {
  state.objects.splice(i, 1);
  // Relations that named the object go with it; later indices shift down by one.
  state.frames = state.frames.map((rs) => rs.filter((r) => r[0] !== i && r[2] !== i)
    .map((r) => [r[0] > i ? r[0] - 1 : r[0], r[1], r[2] > i ? r[2] - 1 : r[2]]));
  changed();
}

// Typing in the JSON box updates the editor when the text is a graph it can show.
function readJSON() {
  const text = $("graph-json").value;
  let value;
  try { value = JSON.parse(text); } catch (e) { showError("graph-json", "not JSON yet: " + e.message); return; }
  const graphs = value && Array.isArray(value.frames) ? value.frames : value && value.graph ? [value.graph] : null;
  if (!graphs || !graphs.every((g) => g && Array.isArray(g.objects))) {
    showError("graph-json", 'expected {"graph": {"objects": [...], "relationships": [...]}} or {"frames": [...]}');
    return;
  }
  clearErrors();
  state.objects = graphs[0].objects.slice();
  state.frames = graphs.map((g) => (Array.isArray(g.relationships) ? g.relationships : []).map((r) => Array.isArray(r) ? r.slice() : r));
  state.frame = Math.min(state.frame, state.frames.length - 1);
  if (value.frames && !$("mode-frames").disabled) { state.mode = "frames"; $("mode-frames").checked = true; }
  render();
}

function clearErrors() {
  document.querySelectorAll(".error").forEach((e) => e.classList.remove("error"));
  $("json-error").textContent = ""; $("settings-error").textContent = "";
}

function showError(where, message) {
  $(where === "graph-json" ? "json-error" : "settings-error").textContent = message;
  $(where).classList.add("error");
}

// A server error's field (graph.objects[1], frames[2].relationships[0][1], steps) marked where it is shown.
function showServerError(error) {
  clearErrors();
  const field = error.field || "";
  const message = (field ? field + ": " : "") + error.message;
  const settingsField = { count: "count", seed: "seed", sampler: "sampler", steps: "steps", eta: "steps", guidance: "guidance",
                          relation_guidance: "guidance", guidance_cutoff: "guidance", size: "size" }[field];
  if (settingsField) { showError(settingsField, message); return; }
  showError("graph-json", message);
  const frame = /^frames\[(\d+)\]/.exec(field);
  if (frame && Number(frame[1]) < state.frames.length) { state.frame = Number(frame[1]); render(); }
  const object = /objects\[(\d+)\]/.exec(field), relation = /relationships\[(\d+)\]/.exec(field);
  if (object && $(`object-${object[1]}`)) $(`object-${object[1]}`).classList.add("error");
  if (relation && $(`relation-${relation[1]}`)) $(`relation-${relation[1]}`).classList.add("error");
}

function settings() {
  const body = {};
  const number = (id) => $(id).value.trim() === "" ? undefined : Number($(id).value);
  for (const [key, id] of [["count", "count"], ["seed", "seed"], ["steps", "steps"], ["guidance", "guidance"], ["size", "size"]]) {
    const v = number(id);
    if (v !== undefined) body[key] = v;
  }
  body.sampler = $("sampler").value;
  return body;
}

async function generate() {
  clearErrors();
  let graphPart;
  try { graphPart = JSON.parse($("graph-json").value); } catch (e) { showError("graph-json", "not JSON: " + e.message); return; }
  const body = Object.assign({}, graphPart, settings());
  $("generate").disabled = true;
  try {
    const response = await api("/v1/generations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = reply.error || { message: `HTTP ${response.status}`, field: null };
      if (response.status === 429) error.message += ` (retry after ${response.headers.get("Retry-After")} s)`;
      showServerError(error);
      return;
    }
    follow(reply, body);
  } catch (e) {
    showError("graph-json", "the server did not answer: " + e.message);
  } finally {
    $("generate").disabled = false;
  }
}

// One card per generation: progress from the event stream, then the pictures.
function follow(generation, body) {
  const n = state.generations++;
  const card = document.createElement("article");
  card.className = "generation"; card.id = `generation-${n}`; card.dataset.id = generation.id;
  const s = generation.settings;
  card.innerHTML = `<div class="generation-head"><span class="generation-status">queued</span>
    <progress class="generation-progress" max="1" value="0"></progress>
    <button type="button" class="generation-cancel">Cancel</button></div>
    <div class="generation-params"></div><div class="results"></div>`;
  card.querySelector(".generation-params").textContent =
    `${s.count} × ${s.sampler} ${s.steps ?? "all"} steps · guidance ${s.guidance} · seed ${s.seed}…${s.seed + s.count - 1}` +
    ` · ${generation.kind}` + (generation.notices.length ? ` · ${generation.notices.join("; ")}` : "");
  card.querySelector(".generation-cancel").onclick = () => api(`/v1/generations/${generation.id}`, { method: "DELETE" });
  $("generations").prepend(card);
  events(generation.id, (g) => update(card, g));
}

function update(card, g) {
  const p = g.progress;
  card.querySelector(".generation-progress").value = p.fraction;
  let status = g.status;
  if (g.status === "queued" && p.position !== undefined) status += ` (${p.position} ahead)`;
  if (g.status === "running") status += ` ${Math.round(p.fraction * 100)}%`;
  if (g.status === "done") status += ` in ${g.seconds} s`;
  if (g.error) status += `: ${g.error.message}`;
  card.querySelector(".generation-status").textContent = status;
  card.dataset.status = g.status;
  if (g.status !== "queued" && g.status !== "running") card.querySelector(".generation-cancel").disabled = true;
  if (g.status === "done" && !card.dataset.shown) { card.dataset.shown = "1"; showResults(card, g); }
}

// Images are fetched with the token (an <img src> could not send it) and shown from blob URLs.
async function blobURL(url) {
  const response = await api(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

async function showResults(card, g) {
  const results = card.querySelector(".results");
  const s = g.settings;
  const params = `${s.sampler} ${s.steps ?? "all"} · g ${s.guidance}`;
  for (const [k, image] of (g.images || []).entries()) {
    const figure = document.createElement("figure");
    figure.className = "result";
    const src = await blobURL(image.url);
    figure.innerHTML = `<img class="result-image" alt="image ${k}"><figcaption>seed ${image.seed} · ${params}<br>
      <a class="download" download="${g.id}-${k}.png">PNG</a></figcaption>`;
    figure.querySelector("img").src = src;
    figure.querySelector("a").href = src;
    results.appendChild(figure);
  }
  for (const [k, video] of (g.videos || []).entries()) {
    const figure = document.createElement("figure");
    figure.className = "result";
    const [mp4, gif] = [await blobURL(video.mp4), await blobURL(video.gif)];
    figure.innerHTML = `<video class="result-video" autoplay loop muted playsinline controls></video>
      <img class="result-image" alt="clip ${k} (GIF)"><figcaption>seed ${video.seed} · ${g.frames} frames · ${params}<br>
      <a class="download" download="${g.id}-${k}.mp4">MP4</a><a class="download" download="${g.id}-${k}.gif">GIF</a></figcaption>`;
    figure.querySelector("video").src = mp4;
    figure.querySelector("img").src = gif;
    const links = figure.querySelectorAll("a");
    links[0].href = mp4; links[1].href = gif;
    results.appendChild(figure);
  }
  card.dataset.results = String(results.children.length);
}

// Server-Sent Events read through fetch, so the Authorization header goes along (EventSource cannot send one).
async function events(id, onEvent) {
  const response = await api(`/v1/generations/${id}/events`);
  if (!response.ok || !response.body) return;
  const reader = response.body.getReader(), decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const data = chunk.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (data) onEvent(JSON.parse(data));
    }
  }
}

function setMode(mode) {
  state.mode = mode;
  if (mode === "image") { state.frames = [state.frames[state.frame] || []]; state.frame = 0; }
  changed();
}

function wire() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) $("token").value = fragment.get("token");
  $("token").onchange = () => loadModel();
  $("add-object").onclick = () => {
    if (state.model && state.objects.length >= state.model.limits.objects) {
      showError("graph-json", `the model takes at most ${state.model.limits.objects} objects`); return;
    }
    state.objects.push($("object-choice").value); changed();
  };
  $("add-relation").onclick = () => {
    if (state.objects.length < 2) { showError("graph-json", "add two objects first"); return; }
    const s = Number($("relation-subject").value), o = Number($("relation-object").value);
    if (s === o) { showError("graph-json", "a relation joins two different objects"); return; }
    state.frames[state.frame].push([s, $("relation-predicate").value, o]); changed();
  };
  $("graph-json").oninput = readJSON;
  $("graph-json").onblur = render;
  $("mode-image").onchange = () => setMode("image");
  $("mode-frames").onchange = () => setMode("frames");
  $("frame-choice").onchange = () => { state.frame = Number($("frame-choice").value); changed(); };
  $("add-frame").onclick = () => {
    state.frames.splice(state.frame + 1, 0, state.frames[state.frame].map((r) => r.slice()));
    state.frame += 1; changed();
  };
  $("remove-frame").onclick = () => {
    if (state.frames.length > 1) { state.frames.splice(state.frame, 1); state.frame = Math.max(0, state.frame - 1); changed(); }
  };
  $("generate").onclick = generate;
  render();
  loadModel();
}

wire();
