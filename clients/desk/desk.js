// desk.js - the village desk: forms that save records into this PC's
// spool through the agent (/api/...), the lists of today's and this
// month's records with their states, corrections, and ledger uploads.
"use strict";

const desk = { token: "", labels: null, today: "", cases: [], correcting: null, ledger: null };
const STATE_WORDS = { queued: "待发送", delivered: "已送达", rejected: "被退回" };
const LINK_WORDS = { up: "乡镇服务器：已连接", down: "乡镇服务器：连接不上，正在重试",
  waiting: "乡镇服务器：等待另一个程序发送完", unknown: "乡镇服务器：正在连接" };

function $(id) { return document.getElementById(id); }

async function call(method, path, body, type) {
  const headers = { "X-Desk-Token": desk.token };
  if (body !== undefined) headers["Content-Type"] = type || "application/json";
  const r = await fetch(path, { method, headers, body: type ? body : body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin", cache: "no-store" });
  let data = {};
  try { data = await r.json(); } catch (e) { data = { error: "答复无法读取" }; }
  return { ok: r.ok, status: r.status, data };
}

function say(text, bad) {
  const m = $("message");
  m.textContent = text;
  m.classList.toggle("bad", !!bad);
}

function option(select, value, label) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  select.appendChild(o);
  return o;
}

function fillChoices() {
  const l = desk.labels;
  for (const c of l.category) option($("r-category"), c.value, c.label);
  option($("r-initiated"), "", "未注明");
  for (const c of l.initiated) option($("r-initiated"), c.value, c.label);
  for (const c of l.stage) if (c.value !== "REGISTERED") option($("s-stage"), c.value, c.label);
  for (const id of ["r-date", "s-date", "t-date"]) $(id).value = desk.today;
}

function timeText(t) {
  if (!t) return "";
  const d = new Date(t * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function showState(s) {
  $("village").textContent = `${s.village.name}（${s.village.code}）`;
  const link = $("link");
  link.dataset.link = s.link.state;
  $("link-text").textContent = LINK_WORDS[s.link.state] || LINK_WORDS.unknown;
  $("link-why").textContent = s.queued && (s.link.waiting || s.link.error)
    ? "（" + (s.link.waiting || s.link.error) + "）" : "";
  $("last-delivery").textContent = s.link.last_delivery ? "上次送达：" + timeText(s.link.last_delivery) : "尚未送达过";
  $("queued").textContent = `待发送 ${s.queued} 条` + (s.rejected ? `，被退回 ${s.rejected} 条` : "");
}

function describe(r) {
  if (r.kind === "dispute") {
    let t = `纠纷 ${r.case_id} · ${r.category_label || r.category} · ${r.stage_label || r.stage}`;
    if (r.amount) t += ` · 协议金额 ${r.amount} 元`;
    if (r.prevented_criminal) t += ` · 防止民转刑${r.criminal_people ? " " + r.criminal_people + " 人" : ""}`;
    if (r.prevented_group_petition) t += ` · 防止群体性上访${r.people ? " " + r.people + " 人" : ""}`;
    return t;
  }
  if (r.kind === "training") return `培训 · ${r.attendees} 人${r.topic ? " · " + r.topic : ""}`;
  if (r.kind === "retraction") return `更正：撤回一条记录（${r.reason}）`;
  return "无法读取的记录";
}

function recordRow(r) {
  const tr = document.createElement("tr");
  tr.dataset.seq = r.seq;
  tr.dataset.state = r.state;
  tr.dataset.corrected = r.corrected ? "true" : "false";
  if (r.case_id) tr.dataset.case = r.case_id;
  const cell = (text, cls) => {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    if (text !== undefined) td.textContent = text;
    tr.appendChild(td);
    return td;
  };
  cell(String(r.seq));
  const what = cell(describe(r), "what");
  if (r.state === "rejected") {
    const p = document.createElement("div");
    p.className = "reason";
    p.textContent = "退回原因：" + (r.reason_zh || r.reason);
    if (r.reason_zh) p.title = r.reason;
    what.appendChild(p);
  }
  cell(r.date || "");
  const st = cell(undefined, "state");
  const span = document.createElement("span");
  span.textContent = r.corrected ? "已更正" : STATE_WORDS[r.state] || r.state;
  st.appendChild(span);
  const act = cell(undefined, "act");
  if (!r.corrected && (r.kind === "dispute" || r.kind === "training")) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "correct";
    b.textContent = "更正";
    b.addEventListener("click", () => startCorrect(r));
    act.appendChild(b);
    const w = document.createElement("button");
    w.type = "button";
    w.className = "withdraw";
    w.textContent = "撤回";
    w.addEventListener("click", () => withdraw(r));
    act.appendChild(w);
  }
  return tr;
}

function showRecords(list) {
  const today = $("today").tBodies[0], month = $("month").tBodies[0];
  today.replaceChildren();
  month.replaceChildren();
  for (const r of list) (r.today ? today : month).appendChild(recordRow(r));
}

function showCases(cases) {
  desk.cases = cases;
  if (desk.correcting) return;
  const sel = $("s-case");
  const keep = sel.value;
  sel.replaceChildren();
  for (const c of cases)
    option(sel, c.case_id, `${c.case_id} · ${c.category_label} · ${c.date} 受理`);
  if (keep) sel.value = keep;
  $("s-none").hidden = cases.length > 0;
}

async function refresh() {
  const [s, r, c] = await Promise.all([call("GET", "/api/state"), call("GET", "/api/records"),
    call("GET", "/api/cases")]);
  if (s.ok) showState(s.data);
  if (r.ok) showRecords(r.data.records);
  if (c.ok) showCases(c.data.cases);
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
}

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === name);
  for (const t of ["register", "stage", "training", "ledger"]) $("f-" + t).hidden = t !== name;
}

function formRecord(form) {
  const rec = { kind: form.dataset.kind };
  for (const el of form.elements) {
    if (!el.name) continue;
    rec[el.name] = el.type === "checkbox" ? el.checked : el.value;
  }
  if (form.id === "f-stage") {
    const c = desk.correcting && desk.correcting.kind === "dispute" ? desk.correcting
      : desk.cases.find((x) => x.case_id === $("s-case").value);
    if (c) Object.assign(rec, { case_id: c.case_id, category: c.category, initiated: c.initiated });
  }
  return rec;
}

function clearErrors(form) {
  for (const el of form.querySelectorAll(".invalid")) el.classList.remove("invalid");
  form.querySelector(".error").textContent = "";
}

async function save(ev) {
  ev.preventDefault();
  const form = ev.target;
  clearErrors(form);
  const rec = formRecord(form);
  const fixing = desk.correcting;
  const r = fixing ? await call("POST", `/api/records/${fixing.seq}/correct`, { record: rec })
    : await call("POST", "/api/records", rec);
  if (!r.ok) {
    form.querySelector(".error").textContent = r.data.error || "保存失败";
    const bad = r.data.field && form.elements[r.data.field];
    if (bad) bad.classList.add("invalid");
    say("没有保存：" + (r.data.error || "保存失败"), true);
    return;
  }
  say(fixing ? `已保存更正（第 ${r.data.seq} 条，待发送）` : `已保存（第 ${r.data.seq} 条，待发送）`);
  document.body.dataset.saved = String(r.data.seq);
  stopCorrect();
  for (const el of form.elements)
    if (el.name && el.type !== "hidden" && el.type !== "date" && el.tagName === "INPUT")
      el.type === "checkbox" ? (el.checked = false) : (el.value = "");
  await refresh();
}

// A record entered by mistake altogether: withdrawn (a rejected one is dropped).
async function withdraw(r) {
  if (!window.confirm(`撤回第 ${r.seq} 条记录？${describe(r)}`)) return;
  const res = await call("POST", `/api/records/${r.seq}/retract`, {});
  if (!res.ok) { say("没有撤回：" + (res.data.error || "失败"), true); return; }
  say(r.state === "rejected" ? `已删除被退回的第 ${r.seq} 条记录` : `已撤回第 ${r.seq} 条记录（待发送）`);
  await refresh();
}

function startCorrect(r) {
  desk.correcting = r;
  $("correcting-seq").textContent = r.seq;
  $("correcting").hidden = false;
  let form;
  if (r.kind === "training") {
    showTab("training");
    form = $("f-training");
    $("t-attendees").value = r.attendees;
    $("t-topic").value = r.topic;
  } else if (r.stage === "REGISTERED") {
    showTab("register");
    form = $("f-register");
    $("r-case").value = r.case_id;
    $("r-category").value = r.category;
    $("r-initiated").value = r.initiated;
  } else {
    showTab("stage");
    form = $("f-stage");
    const sel = $("s-case");
    sel.replaceChildren();
    option(sel, r.case_id, `${r.case_id} · ${r.category_label}`);
    $("s-stage").value = r.stage;
    $("s-amount").value = r.amount;
    $("s-criminal").checked = r.prevented_criminal;
    $("s-group").checked = r.prevented_group_petition;
    $("s-people").value = r.people || "";
    $("s-criminal-people").value = r.criminal_people || "";
  }
  form.elements.date.value = r.date;
  form.elements.recorded_by.value = r.recorded_by || "";
  clearErrors(form);
}

function stopCorrect() {
  desk.correcting = null;
  $("correcting").hidden = true;
  showCases(desk.cases);
}

async function ledger(commit) {
  const f = $("l-file").files[0];
  if (!f) { say("请先选择台账文件", true); return; }
  const body = await f.arrayBuffer();
  const r = await call("POST", `/api/ledger?kind=${$("l-kind").value}&commit=${commit ? 1 : 0}` +
    `&name=${encodeURIComponent(f.name)}`, body,
    "application/octet-stream");
  const tbody = $("l-rows").tBodies[0];
  tbody.replaceChildren();
  if (!r.ok) {
    $("l-summary").textContent = (r.data.error || "读不了这个文件") + (r.data.detail ? "：" + r.data.detail : "");
    $("l-import").disabled = true;
    return;
  }
  const d = r.data;
  const words = { events: commit ? "已导入" : "可导入", already: "已导入过", skipped: "跳过", error: "有错误", note: "提示" };
  for (const row of d.rows) {
    const tr = document.createElement("tr");
    tr.dataset.outcome = row.outcome;
    for (const text of [row.line ? String(row.line) : "", words[row.outcome] || row.outcome,
      row.record ? describe(row.record) + (row.events > 1 ? `（${row.events} 条记录）` : "")
        : row.column ? `第 ${row.column} 列（${row.header}）：${row.message}` : row.message || ""]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  $("l-summary").textContent = `${d.cases} 个案件（${d.events} 条记录），${d.bad} 行有错误，${d.skipped} 行跳过` +
    (d.already ? `，${d.already} 行以前已导入` : "") +
    (commit ? `；已保存 ${d.new_events} 条，待发送` : `；将保存 ${d.new_events} 条新记录`);
  $("l-summary").dataset.done = commit ? "imported" : "checked";
  $("l-import").disabled = commit || d.new_events === 0;
  if (commit) await refresh();
}

async function start() {
  const s = await call("GET", "/api/state");
  if (!s.ok) { say("打不开：" + (s.data.error || s.status), true); return; }
  desk.token = s.data.token;
  desk.labels = s.data.labels;
  desk.today = s.data.today;
  fillChoices();
  for (const b of document.querySelectorAll("#tabs button"))
    b.addEventListener("click", () => { stopCorrect(); showTab(b.dataset.tab); });
  for (const id of ["f-register", "f-stage", "f-training"]) $(id).addEventListener("submit", save);
  $("cancel-correct").addEventListener("click", stopCorrect);
  $("l-check").addEventListener("click", () => ledger(false));
  $("l-import").addEventListener("click", () => ledger(true));
  $("l-file").addEventListener("change", () => { $("l-import").disabled = true; });
  $("s-stage").addEventListener("change", () => {
    $("s-amount").disabled = $("s-stage").value !== "RESOLVED";
  });
  await refresh();
  document.body.dataset.state = "ready";
  setInterval(refresh, 2000);
}

document.addEventListener("DOMContentLoaded", start);
