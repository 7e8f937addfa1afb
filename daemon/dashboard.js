/*
 * dashboard.js - fills the live dashboard (dashboard.html).
 *
 * Reads the year's totals from /v1/totals, the village names from
 * /v1/villages and the report text from /v1/report, and reads them again
 * whenever /v1/stream says that something was committed. The stream's
 * first event (hello) says the current year in the township's zone; the
 * page follows it unless ?year=YYYY asks for a given year (2000-2200, as
 * the daemon keeps them; another value is refused with a message).
 *
 * Printing: the print layout of dashboard.css is also applied on screen
 * while printing, so that Chart.js draws each chart at the width it prints
 * at, and the stream is closed until the printing is done. ?print=1 shows
 * that layout and opens no stream at all.
 *
 * At a county (docs/county.md) a chooser lists the townships that have
 * figures (/v1/townships, by the names they forwarded); ?township=CODE
 * shows that township's figures, its villages by its own names and its
 * report instead of the county's.
 *
 * For tests, <body> carries data-state (loading, ready, error),
 * data-commits (commit events received), data-refreshes (completed
 * reloads) and data-stream (on, off), and each figure its data-metric and
 * data-value.
 */
'use strict';

(function () {
  /* The words of the page: metric dimension values in Chinese. */
  const CATEGORY = {
    MARRIAGE_FAMILY: '婚姻家庭', NEIGHBOUR: '邻里', HOUSING_HOMESTEAD: '房屋宅基地',
    CONTRACT: '合同', PRODUCTION_BUSINESS: '生产经营', DAMAGES: '损害赔偿',
    LAND: '山林土地', LAND_ACQUISITION: '征地拆迁', ENVIRONMENT: '环境污染',
    LABOUR_SOCIAL_SECURITY: '劳动争议', CONSUMER: '消费', MEDICAL: '医疗',
    TRAFFIC: '道路交通事故', PROPERTY_MANAGEMENT: '物业', OTHER: '其他',
  };

  /* Counts as the report writes them: digits and a unit, "8000多份" where approximate. */
  function exact(unit) {
    return (v) => v + unit;
  }
  function approx(unit) {
    return (v) => {
      if (v < 1000) return v + unit;
      const mag = Math.pow(10, Math.floor(Math.log10(v)));
      const floor = Math.floor(v / mag) * mag;
      return floor === v ? v + unit : floor + '多' + unit;
    };
  }
  function percent(part, whole) {
    return whole > 0 ? (100 * part / whole).toFixed(1) + '%' : '—';
  }
  function yuan(fen) {
    const y = fen / 100;
    return y >= 10000 ? (y / 10000).toFixed(2) + '万元' : y.toFixed(0) + '元';
  }

  /* Work the office records itself: 0 means nobody recorded it, as the report says. */
  function recorded(unit) {
    return (v) => (v === 0 ? '本年未记录' : v + unit);
  }

  /* The parts of the report, a panel each, in its order. */
  const SECTIONS = [
    ['一', '第一责任人履职'], ['二、1', '加强领导'], ['二、2', '依法行政'],
    ['二、3', '强化督查'], ['二、4', '服务型执法'], ['二、5', '制约权力'],
    ['二、6', '政务公开'], ['二、7', '化解纠纷'], ['二、8', '法治宣传'],
    ['三', '不足与整改'], ['四', '下一年度安排'],
  ];

  /*
   * The headline figures, each in the part of the report it belongs to.
   * get(t) reads the figure from the year's totals t (the metric's total by
   * default); text(v) writes it; note(t) is a line under it.
   */
  const FIGURES = [
    { section: '一', metric: 'trainings.others{LEADERS}', label: '领导干部学法', text: recorded('次') },
    {
      section: '二、1', metric: 'tasks.planned', label: '部署年度任务', text: recorded('项'),
      note: (t) => '完成' + t.get('tasks.done') + '项',
    },
    {
      section: '二、2', metric: 'documents.drafted', label: '制定规范性文件', text: recorded('件'),
      note: (t) => '审查' + t.get('documents.reviewed') + '件，备案' + t.get('documents.filed') + '件',
    },
    {
      section: '二、2', metric: 'decisions.made', label: '重大行政决策', text: recorded('项'),
      note: (t) => '经合法性审查' + t.get('decisions.legal_reviewed') + '项，听证' +
        t.get('decisions.hearings') + '项',
    },
    { section: '二、2', metric: 'opinions.given', label: '法律顾问意见', text: recorded('条') },
    {
      section: '二、3', metric: 'trainings.others{ENFORCEMENT_STAFF}', label: '执法人员培训',
      text: recorded('次'),
    },
    {
      section: '二、4', metric: 'enforcement.actions{GUIDANCE}', label: '行政指导', text: exact('次'),
      note: (t) => '行政调解' + t.get('enforcement.actions{MEDIATION}') + '次',
    },
    {
      section: '二、5', metric: 'supervision.findings', label: '监督反馈问题', text: recorded('个'),
      note: (t) => '已整改' + t.get('supervision.rectified') + '个',
    },
    {
      section: '二、6', metric: 'disclosures.items', label: '政务公开信息', text: recorded('条'),
      note: (t) => '公开' + t.get('disclosures.releases') + '次',
    },
    {
      section: '二、8', metric: 'trainings.others{COMMUNITY_CORRECTION}', label: '社区矫正人员法律培训',
      text: recorded('次'),
    },
    {
      section: '二、8', metric: 'publicity.activities{CIVIL_CODE}', label: '宣传《民法典》活动',
      text: recorded('次'),
    },
    {
      section: '三', metric: 'enforcement.team', label: '维护日常执法工作', text: recorded('人'),
      note: (t) => '持执法证' + t.get('enforcement.certified') + '人',
    },
    {
      section: '三', metric: 'supervision.rectified', label: '问题整改完成', text: recorded('个'),
    },
    {
      section: '四', metric: 'tasks.next_year', label: '已部署下一年度任务', text: recorded('项'),
      get: (t) => t.get('tasks.planned{FIVE_STAR_BRANCH}') + t.get('tasks.planned{VILLAGE_ELECTION}') +
        t.get('tasks.planned{DISCLOSURE_CATALOGUE}') + t.get('tasks.planned{NEGATIVE_LIST}'),
    },
    { section: '二、7', metric: 'disputes.resolved', label: '排查化解矛盾纠纷', text: exact('件'), good: true },
    { section: '二、7', metric: 'disputes.registered', label: '排查登记矛盾纠纷', text: exact('件') },
    {
      section: '二、7', metric: 'disputes.success_rate', label: '调解成功率',
      get: (t) => t.get('disputes.resolved') / (t.get('disputes.resolved') + t.get('disputes.unresolved')),
      text: (v) => (isFinite(v) ? (100 * v).toFixed(1) + '%' : '—'),
      note: (t) => '未调解成功' + t.get('disputes.unresolved') + '件',
    },
    { section: '二、7', metric: 'disputes.open', label: '在办矛盾纠纷', text: exact('件') },
    {
      section: '二、7', metric: 'disputes.prevented_criminal', label: '防止民转刑', text: exact('件'),
      note: (t) => '防止群体性上访' + t.get('disputes.prevented_group_petition') + '件' +
        t.get('disputes.prevented_group_petition_people') + '人',
    },
    { section: '二、7', metric: 'disputes.agreement_amount_fen', label: '调解协议涉及金额', text: yuan },
    { section: '二、7', metric: 'petitions.received{HIGHER_LEVEL}', label: '办理上级交办信访案件', text: exact('件') },
    { section: '二、7', metric: 'petitions.received{TOWNSHIP}', label: '镇访案件', text: exact('件') },
    { section: '二、7', metric: 'petitions.received{PROVINCIAL_INSPECTION}', label: '省委巡视交办案件', text: exact('件') },
    { section: '二、7', metric: 'petitions.difficult_resolved', label: '化解疑难信访案件', text: exact('起'), good: true },
    {
      section: '二、7', metric: 'trainings.sessions', label: '开展培训', text: exact('次'),
      note: (t) => '参训' + t.get('trainings.attendees') + '人次',
    },
    { section: '二、8', metric: 'publicity.activities', label: '开展普法宣传活动', text: exact('次') },
    { section: '二、8', metric: 'publicity.materials', label: '发放资料', text: approx('份') },
    { section: '二、8', metric: 'publicity.consultations', label: '现场法律咨询', text: exact('人次') },
    { section: '二、2', metric: 'lawsuits.filed{ADMINISTRATIVE}', label: '涉行政诉讼', text: exact('起') },
    { section: '二、2', metric: 'lawsuits.filed{ENV_POLLUTION_CIVIL}', label: '环境污染附带民事诉讼', text: exact('起') },
    { section: '二、2', metric: 'lawsuits.lost', label: '败诉', text: (v) => (v === 0 ? '无败诉情况' : '败诉' + v + '起') },
    {
      section: '二、3', metric: 'enforcement.actions', label: '行政执法行为', text: exact('次'),
      note: (t) => '执法过程记录' + t.get('enforcement.recorded') + '次' +
        (t.get('enforcement.actions') > 0
          ? '，占' + percent(t.get('enforcement.recorded'), t.get('enforcement.actions')) : ''),
    },
  ];

  /* The years the daemon keeps (QUERY_YEAR_MIN, QUERY_YEAR_MAX). */
  const YEAR_MIN = 2000, YEAR_MAX = 2200;
  const params = new URLSearchParams(window.location.search);
  const yearParam = params.get('year');
  const yearOk = yearParam === null ||
    (/^\d{4}$/.test(yearParam) && Number(yearParam) >= YEAR_MIN && Number(yearParam) <= YEAR_MAX);
  const fixedYear = yearParam !== null && yearOk ? Number(yearParam) : 0;
  const printMode = params.get('print') === '1';
  const township = /^[A-Za-z0-9_-]{1,12}$/.test(params.get('township') || '') ? params.get('township') : '';
  const townshipQuery = township ? '&township=' + encodeURIComponent(township) : '';
  let year = fixedYear || new Date().getFullYear();
  let villages = null;
  const charts = {};
  const $ = (id) => document.getElementById(id);

  /* GET path as JSON; throws with the daemon's one-line reason. */
  async function getJSON(path) {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) {
      let why = 'HTTP ' + r.status;
      try { why = (await r.json()).error || why; } catch (e) { /* not JSON */ }
      throw new Error(path.split('?')[0] + ': ' + why);
    }
    return r.json();
  }

  function totals(query) {
    return getJSON('/v1/totals?year=' + year + townshipQuery + (query ? '&' + query : ''));
  }

  /* At a county: the townships with figures, to choose from; hidden elsewhere. */
  async function renderTownships() {
    const sel = $('township');
    if (!sel || sel.dataset.filled) return;
    const list = (await getJSON('/v1/townships')).townships;
    if (list.length === 0) return;
    sel.dataset.filled = '1';
    for (const t of [{ township: '', name: '' }].concat(list)) {
      const o = document.createElement('option');
      o.value = t.township;
      o.textContent = t.township ? (t.name ? t.name + '（' + t.township + '）' : t.township) : '全县';
      o.selected = t.township === township;
      sel.appendChild(o);
    }
    sel.hidden = false;
    sel.addEventListener('change', () => {
      const p = new URLSearchParams(window.location.search);
      if (sel.value) p.set('township', sel.value); else p.delete('township');
      window.location.search = p.toString();
    });
  }

  /* The breakdowns the cards read, as "metric{LABEL}": metric and dimension. */
  const BREAKDOWNS = [
    ['petitions.received', 'origin'], ['lawsuits.filed', 'kind'], ['trainings.others', 'audience'],
    ['tasks.planned', 'item'], ['enforcement.actions', 'action'], ['publicity.activities', 'law'],
  ];

  /* The year's totals as a map: "metric" and "metric{LABEL}" -> value. */
  function figureMap(all, breakdowns) {
    const m = new Map();
    for (const r of all.rows) m.set(r.metric, r.value);
    breakdowns.forEach((rows, i) => {
      for (const r of rows.rows) m.set(r.metric + '{' + r[BREAKDOWNS[i][1]] + '}', r.value);
    });
    return { get: (k) => m.get(k) || 0 };
  }

  /* The panel of one part of the report, made on first use. */
  function sectionBox(box, name) {
    let sec = box.querySelector('[data-section="' + name + '"]');
    if (!sec) {
      for (const [n, title] of SECTIONS) {
        const el = document.createElement('div');
        el.className = 'section';
        el.dataset.section = n;
        const h = document.createElement('h3');
        h.textContent = n + ' ' + title;
        const cards = document.createElement('div');
        cards.className = 'cards';
        el.appendChild(h);
        el.appendChild(cards);
        box.appendChild(el);
      }
      sec = box.querySelector('[data-section="' + name + '"]');
    }
    return sec.querySelector('.cards');
  }

  function renderCards(t) {
    const box = $('cards');
    for (const f of FIGURES) {
      let card = box.querySelector('[data-metric="' + f.metric + '"]');
      if (!card) {
        card = document.createElement('div');
        card.className = 'card' + (f.good ? ' good' : '');
        card.dataset.metric = f.metric;
        for (const part of ['label', 'value', 'note']) {
          const el = document.createElement('div');
          el.className = part;
          card.appendChild(el);
        }
        card.querySelector('.label').textContent = f.label;
        sectionBox(box, f.section).appendChild(card);
      }
      const v = f.get ? f.get(t) : t.get(f.metric);
      card.dataset.value = String(v);
      card.querySelector('.value').textContent = f.text(v);
      card.querySelector('.note').textContent = f.note ? f.note(t) : '';
    }
  }

  /* Chart.js, drawn without animation: it redraws after every commit. */
  function drawChart(id, type, labels, datasets, extra) {
    const data = { labels: labels, datasets: datasets };
    if (charts[id]) {
      charts[id].data = data;
      charts[id].update('none');
      return;
    }
    const options = Object.assign({
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'top', labels: { boxWidth: 12 } } },
    }, extra || {});
    charts[id] = new Chart($(id), { type: type, data: data, options: options });
  }

  const COLORS = { registered: '#90a4ae', resolved: '#c62828', petitions: '#1565c0' };

  function series(rows, metric, key, keys) {
    const v = new Map();
    for (const r of rows) if (r.metric === metric) v.set(String(r[key]), r.value);
    return keys.map((k) => v.get(String(k)) || 0);
  }

  function renderMonths(byMonth) {
    const months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    drawChart('chart-month', 'bar', months.map((m) => m + '月'), [
      { label: '排查登记', data: series(byMonth.rows, 'disputes.registered', 'month', months), backgroundColor: COLORS.registered },
      { label: '调解成功', data: series(byMonth.rows, 'disputes.resolved', 'month', months), backgroundColor: COLORS.resolved },
      { label: '信访受理', data: series(byMonth.rows, 'petitions.received', 'month', months), backgroundColor: COLORS.petitions },
    ], { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
  }

  function renderCategories(reg, res) {
    const keys = Object.keys(CATEGORY);
    for (const r of reg.rows) if (!keys.includes(r.category)) keys.push(r.category);
    const registered = series(reg.rows, 'disputes.registered', 'category', keys);
    const resolved = series(res.rows, 'disputes.resolved', 'category', keys);
    const order = keys.map((k, i) => i).sort((a, b) => registered[b] - registered[a]);
    drawChart('chart-category', 'bar', order.map((i) => CATEGORY[keys[i]] || keys[i]), [
      { label: '排查登记', data: order.map((i) => registered[i]), backgroundColor: COLORS.registered },
      { label: '调解成功', data: order.map((i) => resolved[i]), backgroundColor: COLORS.resolved },
    ], { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  }

  function renderVillages(byVillage) {
    const codes = villages.map((v) => v.code);
    const names = villages.map((v) => v.name);
    for (const r of byVillage.rows) {
      if (r.metric.startsWith('disputes.') && !codes.includes(r.village)) {
        codes.push(r.village);
        names.push(r.village || '镇级');
      }
    }
    drawChart('chart-village', 'bar', names, [
      { label: '排查登记', data: series(byVillage.rows, 'disputes.registered', 'village', codes), backgroundColor: COLORS.registered },
      { label: '调解成功', data: series(byVillage.rows, 'disputes.resolved', 'village', codes), backgroundColor: COLORS.resolved },
    ], {
      indexAxis: 'y',
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false, font: { size: 11 } } } },
    });
  }

  /*
   * The year's work records: the events each sender had accepted for the
   * year's months (/v1/senders). A sender keeps its latest 24 months with
   * events; where one may have dropped months of the year, the count is a
   * lower bound and says so.
   */
  async function renderEvents() {
    const s = await getJSON('/v1/senders');
    const prefix = year + '-';
    let n = 0, partial = false;
    for (const x of s.senders) {
      const months = Object.keys(x.months).sort();
      for (const m of months) if (m.startsWith(prefix)) n += x.months[m];
      if (months.length >= 24 && months[0] > prefix + '01') partial = true;
    }
    $('events').textContent = (partial ? '至少 ' : '') + String(n);
    $('events').dataset.value = String(n);
  }

  /* The report text; until the daemon renders reports, a placeholder. */
  async function renderReport() {
    const el = $('report');
    let text, placeholder = true;
    try {
      const r = await fetch('/v1/report?year=' + year + townshipQuery + '&lang=zh&format=text',
        { cache: 'no-store' });
      if (r.ok) {
        text = await r.text();
        placeholder = false;
      } else if (r.status === 404) {
        text = '本服务尚未提供年度报告文本（/v1/report），上方数据即报告所用的实时数据。';
      } else {
        text = '年度报告暂时无法读取（HTTP ' + r.status + '）。';
      }
    } catch (e) {
      text = '年度报告暂时无法读取：' + e.message;
    }
    el.textContent = text;
    el.classList.toggle('placeholder', placeholder);
  }

  async function load() {
    /* at a county, a township's villages are its own list, as it forwarded it */
    if (!villages) villages = (await getJSON('/v1/villages' + (township ? '?township=' + encodeURIComponent(township) : ''))).villages;
    const [all, byMonth, byVillage, catReg, catRes, , , , ...breakdowns] = await Promise.all([
      totals(''),
      totals('by=month'),
      totals('by=village'),
      totals('metric=disputes.registered&by=category'),
      totals('metric=disputes.resolved&by=category'),
      renderReport(),
      renderEvents(),
      renderTownships(),
      ...BREAKDOWNS.map(([m, by]) => totals('metric=' + m + '&by=' + by)),
    ]);
    $('year').textContent = String(year);
    document.title = year + '年法治工作实时统计';
    renderCards(figureMap(all, breakdowns));
    renderMonths(byMonth);
    renderCategories(catReg, catRes);
    renderVillages(byVillage);
    $('updated').textContent = new Date().toLocaleTimeString('zh-CN', { hour12: false });
  }

  /* One reload at a time; a commit during a reload asks for one more. */
  let loading = false, again = false;
  async function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      await load();
      $('error').hidden = true;
      document.body.dataset.state = 'ready';
      document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes) + 1);
    } catch (e) {
      $('error').textContent = '无法读取数据：' + e.message;
      $('error').hidden = false;
      if (document.body.dataset.state !== 'ready') document.body.dataset.state = 'error';
    } finally {
      loading = false;
      if (again) { again = false; refresh(); }
    }
  }

  function onStreamData(e) {
    let d = {};
    try { d = JSON.parse(e.data); } catch (err) { /* no data: reload all the same */ }
    if (!fixedYear && typeof d.year === 'number') year = d.year;
  }

  function setLive(on, text) {
    $('live').className = 'live ' + (on ? 'on' : 'off');
    $('live').textContent = text;
  }

  /* The stream; the browser reconnects it, and we reopen it if it gives up. */
  let es = null;
  function connect() {
    es = new EventSource('/v1/stream');
    document.body.dataset.stream = 'on';
    es.addEventListener('hello', (e) => {
      setLive(true, '实时更新中');
      villages = null; /* (re)connected: the daemon may have re-read its config */
      onStreamData(e);
      refresh();
    });
    es.addEventListener('commit', (e) => {
      document.body.dataset.commits = String(Number(document.body.dataset.commits) + 1);
      onStreamData(e);
      refresh();
    });
    es.onerror = () => {
      setLive(false, '连接中断，正在重连…');
      if (es && es.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
    };
  }

  function disconnect() {
    if (es) es.close();
    es = null;
    document.body.dataset.stream = 'off';
    setLive(false, '已暂停更新');
  }

  /* Shows the rules of @media print on screen too (on), or only in print (off). */
  function printLayout(on) {
    for (const sheet of document.styleSheets) {
      for (const rule of sheet.cssRules) {
        if (!rule.media || !/\bprint\b/.test(rule.media.mediaText)) continue;
        const has = Array.from(rule.media).includes('screen');
        if (on && !has) rule.media.appendMedium('screen');
        if (!on && has) rule.media.deleteMedium('screen');
      }
    }
    for (const c of Object.values(charts)) c.resize();
  }

  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = '#1f2933';
  if (!yearOk) {
    $('error').textContent = '年份参数无效：“' + yearParam + '”。请给出 ' + YEAR_MIN + ' 至 ' +
      YEAR_MAX + ' 之间的四位年份，例如 ?year=' + new Date().getFullYear() + '。';
    $('error').hidden = false;
    setLive(false, '未读取数据');
    document.body.dataset.state = 'error';
    return;
  }
  if (printMode) {
    printLayout(true);
    setLive(false, '打印版，不自动更新');
    refresh();
    return;
  }
  window.addEventListener('beforeprint', () => { disconnect(); printLayout(true); });
  window.addEventListener('afterprint', () => { printLayout(false); connect(); });
  refresh();
  connect();
})();
