/* budget-audit HTML report.
 *
 * The page holds one JSON data block per draft (script.doc-data, written by
 * auditor/writers/html.py). This script parses them once, then renders the project cards of one
 * page of documents at a time (every matching document before printing), applies the filters and
 * the sort order, keeps the counts and the URL hash in step, and resolves deep links
 * (#project-<doc>-<index>, #general-<doc>, #doc-<doc>, #filter:<query>).
 *
 * Draft text is only ever inserted with textContent / createTextNode, never as markup.
 */
(function () {
  "use strict";

  // Finding layout: FINDING_FIELDS in auditor/writers/html.py.
  var F_RULE = 0, F_SEVERITY = 1, F_DIMENSION = 2, F_PROJECT = 3, F_LINE = 4, F_COLUMN = 5, F_FIELD = 6,
    F_EVIDENCE = 7, F_MESSAGE = 8, F_SUGGESTION = 9, F_CONTEXT = 10, F_WAIVED = 11, F_BASELINE = 12,
    F_REF = 13;
  // Project facts layout: PROJECT_FIELDS in auditor/writers/html.py.
  var P_INDEX = 0, P_CODE = 1, P_NAME = 2, P_HEADING = 3, P_LINE = 4, P_MONEY_UNIT = 5, P_BUDGET = 6,
    P_SCHEDULE_HEADER = 7, P_SCHEDULE = 8, P_GOALS = 9, P_INDICATORS = 10;
  var PAGE_FINDINGS = 300; // a page holds whole documents, about this many findings
  var CELLS = ["level1", "level2", "level3", "description", "value", "basis"];
  var SORTS = ["line", "severity", "rule"];

  var config = JSON.parse(byId("report-config").textContent);
  var L = config.labels;
  var SEV = config.severities.map(function (s) { return s[0]; });
  var SEV_LABEL = config.severities.map(function (s) { return s[1]; });
  var DIM_LABEL = {};
  var DIM_ORDER = {};
  var DIM_COUNT = config.dimensions.length;
  config.dimensions.forEach(function (d, i) { DIM_LABEL[d[0]] = d[1]; DIM_ORDER[d[0]] = i; });
  var RULE_TITLE = {};
  config.rules.forEach(function (r) { RULE_TITLE[r[0]] = r[1]; });

  var docs = [];
  var total = 0;
  var state = defaultState();
  var entries = [];   // [{doc, idx: [matching finding indexes]}] for the current filter
  var pages = [[0, 0]];
  var shown = 0;
  var printing = false; // rendering every matching document for print

  // ---------------------------------------------------------------- helpers

  function byId(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : m;
    });
  }

  function orDash(value) {
    return value === null || value === undefined || value === "" ? L.none : String(value);
  }

  /** Append text to node with the first occurrence of `needle` wrapped in <mark>; true if found. */
  function appendMarked(node, text, needle) {
    text = text === null || text === undefined ? "" : String(text);
    var at = needle ? text.indexOf(needle) : -1;
    if (at < 0) {
      node.appendChild(document.createTextNode(text));
      return false;
    }
    node.appendChild(document.createTextNode(text.slice(0, at)));
    node.appendChild(el("mark", null, needle));
    node.appendChild(document.createTextNode(text.slice(at + needle.length)));
    return true;
  }

  function statusOf(f) {
    if (f[F_WAIVED] !== null && f[F_WAIVED] !== undefined) return "waived";
    return f[F_BASELINE] ? "baseline" : "active";
  }

  // ---------------------------------------------------------------- data

  function load() {
    var blocks = document.querySelectorAll("script.doc-data");
    for (var i = 0; i < blocks.length; i++) {
      var doc = JSON.parse(blocks[i].textContent);
      blocks[i].parentNode.removeChild(blocks[i]);
      doc.factsByIndex = {};
      for (var p = 0; p < doc.facts.length; p++) doc.factsByIndex[doc.facts[p][P_INDEX]] = doc.facts[p];
      doc.hay = null;
      total += doc.findings.length;
      docs.push(doc);
    }
  }

  /** Lower-cased text a finding is searched in: message, suggestion, evidence, field, rule id,
   *  project code and name (built the first time a search needs it). */
  function haystack(doc, i) {
    if (!doc.hay) {
      doc.hay = doc.findings.map(function (f) {
        var facts = f[F_PROJECT] === null ? null : doc.factsByIndex[f[F_PROJECT]];
        return [f[F_MESSAGE], doc.texts[f[F_SUGGESTION]], f[F_EVIDENCE], f[F_FIELD], f[F_RULE],
          facts ? facts[P_CODE] || "" : "", facts ? facts[P_NAME] || "" : ""].join("\n").toLowerCase();
      });
    }
    return doc.hay[i];
  }

  // ---------------------------------------------------------------- state

  function defaultState() {
    return { sev: SEV.slice(), rule: "", dim: "", doc: "", status: "", q: "", sort: "line", dir: 1, page: 0, ctx: true };
  }

  /** Clear the filters, keeping the sort order and the context switch. */
  function clearFilters() {
    var next = defaultState();
    next.sort = state.sort;
    next.dir = state.dir;
    next.ctx = state.ctx;
    state = next;
  }

  /** Whether a finding-level filter is set (the document filter alone keeps every card). */
  function narrowing() {
    return state.sev.length !== SEV.length || !!(state.rule || state.dim || state.status || state.q.trim());
  }

  function terms() {
    return state.q.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matches(doc, i, words) {
    var f = doc.findings[i];
    if (state.sev.indexOf(SEV[f[F_SEVERITY]]) < 0) return false;
    if (state.rule && f[F_RULE] !== state.rule) return false;
    if (state.dim && f[F_DIMENSION] !== state.dim) return false;
    if (state.status && statusOf(f) !== state.status) return false;
    if (words.length) {
      var hay = haystack(doc, i);
      for (var w = 0; w < words.length; w++) if (hay.indexOf(words[w]) < 0) return false;
    }
    return true;
  }

  function filter() {
    var words = terms();
    var narrow = narrowing();
    entries = [];
    shown = 0;
    for (var d = 0; d < docs.length; d++) {
      var doc = docs[d];
      if (state.doc && String(doc.n) !== state.doc) continue;
      var idx = [];
      for (var i = 0; i < doc.findings.length; i++) if (matches(doc, i, words)) idx.push(i);
      if (idx.length || !narrow) entries.push({ doc: doc, idx: idx });
      shown += idx.length;
    }
    pages = [];
    var start = 0, weight = 0;
    for (var e = 0; e < entries.length; e++) {
      weight += Math.max(entries[e].idx.length, 1);
      if (weight >= PAGE_FINDINGS) {
        pages.push([start, e + 1]);
        start = e + 1;
        weight = 0;
      }
    }
    if (start < entries.length || !pages.length) pages.push([start, entries.length]);
    if (state.page >= pages.length) state.page = pages.length - 1;
    if (state.page < 0) state.page = 0;
  }

  function sortKey(f, i) {
    var line = f[F_LINE] === null ? Infinity : f[F_LINE];
    var col = f[F_COLUMN] === null ? 0 : f[F_COLUMN];
    var dim = DIM_ORDER.hasOwnProperty(f[F_DIMENSION]) ? DIM_ORDER[f[F_DIMENSION]] : DIM_COUNT;
    return { line: line, col: col, sev: f[F_SEVERITY], rule: f[F_RULE], dim: dim, i: i };
  }

  function compare(a, b) {
    var primary = 0;
    if (state.sort === "severity") primary = a.sev - b.sev;
    else if (state.sort === "rule") primary = a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
    else if (state.sort === "dimension") primary = a.dim - b.dim;
    else primary = a.line - b.line || a.col - b.col;
    if (primary) return primary * state.dir;
    if (state.sort !== "line" && (a.line - b.line || a.col - b.col)) return a.line - b.line || a.col - b.col;
    return a.i - b.i;
  }

  function sorted(doc, idx) {
    var keys = idx.map(function (i) { return sortKey(doc.findings[i], i); });
    keys.sort(compare);
    return keys.map(function (k) { return k.i; });
  }

  // ---------------------------------------------------------------- hash

  function writeHash() {
    var params = [];
    var add = function (key, value) { params.push(key + "=" + encodeURIComponent(value)); };
    if (state.sev.length !== SEV.length) add("sev", state.sev.join(","));
    if (state.rule) add("rule", state.rule);
    if (state.dim) add("dim", state.dim);
    if (state.doc) add("doc", state.doc);
    if (state.status) add("status", state.status);
    if (state.q) add("q", state.q);
    if (state.sort !== "line" || state.dir !== 1) add("sort", state.sort + (state.dir < 0 ? "-desc" : ""));
    if (state.page) add("page", state.page + 1);
    if (!state.ctx) add("ctx", "0");
    var hash = params.length ? "#filter:" + params.join("&") : "";
    if (hash === location.hash || (!hash && !location.hash)) return;
    try {
      history.replaceState(null, "", hash || location.pathname + location.search);
    } catch (err) {
      // Some browsers refuse history changes on file:// pages; the filter still works.
    }
  }

  function readHash(hash) {
    var next = defaultState();
    hash.replace(/^#filter:/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("=");
      var key = eq < 0 ? part : part.slice(0, eq);
      var value = "";
      try { value = decodeURIComponent(eq < 0 ? "" : part.slice(eq + 1)); } catch (err) { return; }
      if (key === "sev") next.sev = SEV.filter(function (s) { return value.split(",").indexOf(s) >= 0; });
      else if (key === "rule" || key === "dim" || key === "doc" || key === "status" || key === "q") next[key] = value;
      else if (key === "sort") {
        var parts = value.split("-");
        if (SORTS.indexOf(parts[0]) >= 0) next.sort = parts[0];
        next.dir = parts[1] === "desc" ? -1 : 1;
      } else if (key === "page") next.page = Math.max(0, (parseInt(value, 10) || 1) - 1);
      else if (key === "ctx") next.ctx = value !== "0";
    });
    state = next;
  }

  // ---------------------------------------------------------------- controls

  function fillControls() {
    var counts = { sev: [0, 0, 0], rule: {}, dim: {} };
    docs.forEach(function (doc) {
      doc.findings.forEach(function (f) {
        counts.sev[f[F_SEVERITY]] += 1;
        counts.rule[f[F_RULE]] = (counts.rule[f[F_RULE]] || 0) + 1;
        counts.dim[f[F_DIMENSION]] = (counts.dim[f[F_DIMENSION]] || 0) + 1;
      });
    });
    SEV.forEach(function (s, i) {
      var node = document.querySelector('[data-sev-count="' + s + '"]');
      if (node) node.textContent = "(" + counts.sev[i] + ")";
    });
    var ruleSelect = byId("f-rule");
    var known = {};
    Array.prototype.forEach.call(ruleSelect.options, function (option) {
      if (!option.value) return;
      known[option.value] = true;
      option.textContent = option.value + (RULE_TITLE[option.value] ? " — " + RULE_TITLE[option.value] : "") +
        L.open_paren + (counts.rule[option.value] || 0) + L.close_paren;
    });
    Object.keys(counts.rule).sort().forEach(function (rule) {
      if (known[rule]) return;
      var option = el("option", null, rule + L.open_paren + counts.rule[rule] + L.close_paren);
      option.value = rule;
      ruleSelect.appendChild(option);
    });
    Array.prototype.forEach.call(byId("f-dim").options, function (option) {
      if (option.value) option.textContent = (DIM_LABEL[option.value] || option.value) + L.open_paren + (counts.dim[option.value] || 0) + L.close_paren;
    });
    var docSelect = byId("f-doc");
    var fragment = document.createDocumentFragment();
    docs.forEach(function (doc) {
      var option = el("option", null, doc.n + ". " + doc.path + (doc.department ? " — " + doc.department : ""));
      option.value = String(doc.n);
      fragment.appendChild(option);
    });
    docSelect.appendChild(fragment);
  }

  function syncControls() {
    Array.prototype.forEach.call(document.querySelectorAll('input[name="sev"]'), function (box) {
      box.checked = state.sev.indexOf(box.value) >= 0;
    });
    byId("f-rule").value = state.rule;
    byId("f-dim").value = state.dim;
    byId("f-doc").value = state.doc;
    byId("f-status").value = state.status;
    if (byId("f-q").value !== state.q) byId("f-q").value = state.q;
    byId("f-sort").value = state.sort;
    byId("f-ctx").checked = state.ctx;
    document.body.classList.toggle("no-ctx", !state.ctx);
  }

  function readControls() {
    state.sev = [];
    Array.prototype.forEach.call(document.querySelectorAll('input[name="sev"]'), function (box) {
      if (box.checked) state.sev.push(box.value);
    });
    state.sev = SEV.filter(function (s) { return state.sev.indexOf(s) >= 0; });
    state.rule = byId("f-rule").value;
    state.dim = byId("f-dim").value;
    state.doc = byId("f-doc").value;
    state.status = byId("f-status").value;
    state.q = byId("f-q").value;
    state.ctx = byId("f-ctx").checked;
    document.body.classList.toggle("no-ctx", !state.ctx);
    var sort = byId("f-sort").value;
    if (sort !== state.sort) { state.sort = sort; state.dir = 1; }
  }

  function bindControls() {
    var changed = function () { readControls(); state.page = 0; update(); };
    ["f-rule", "f-dim", "f-doc", "f-status", "f-sort"].forEach(function (id) { byId(id).addEventListener("change", changed); });
    byId("f-ctx").addEventListener("change", function () { readControls(); writeHash(); });
    Array.prototype.forEach.call(document.querySelectorAll('input[name="sev"]'), function (box) {
      box.addEventListener("change", changed);
    });
    var timer = 0;
    byId("f-q").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(changed, 150);
    });
    byId("f-reset").addEventListener("click", function () { state = defaultState(); syncControls(); update(); });
    byId("f-print").addEventListener("click", function () { window.print(); });

    document.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof Element)) return;
      var th = target.closest("th[data-sort]");
      if (th) {
        var key = th.getAttribute("data-sort");
        if (state.sort === key) state.dir = -state.dir; else { state.sort = key; state.dir = 1; }
        var card = th.closest(".card");
        var top = card ? card.getBoundingClientRect().top : 0;
        syncControls();
        update();
        var again = card ? byId(card.id) : null;  // keep the clicked card where it was
        if (again) window.scrollBy(0, again.getBoundingClientRect().top - top);
        return;
      }
      var pick = target.closest("[data-filter-sev],[data-filter-rule],[data-filter-dim],[data-filter-status]");
      if (pick) {
        clearFilters();
        if (pick.hasAttribute("data-filter-sev")) state.sev = [pick.getAttribute("data-filter-sev")];
        if (pick.hasAttribute("data-filter-rule")) state.rule = pick.getAttribute("data-filter-rule");
        if (pick.hasAttribute("data-filter-dim")) state.dim = pick.getAttribute("data-filter-dim");
        if (pick.hasAttribute("data-filter-status")) state.status = pick.getAttribute("data-filter-status");
        syncControls();
        update();
        byId("controls").scrollIntoView({ block: "start" });
        return;
      }
      var link = target.closest('a[href^="#"]');
      if (link && deepLink(link.getAttribute("href").slice(1))) {
        event.preventDefault();
        try { history.replaceState(null, "", link.getAttribute("href")); } catch (err) { /* file:// */ }
        reveal(link.getAttribute("href").slice(1));
      }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if ((event.key === "Enter" || event.key === " ") && target instanceof Element && target.matches("th[data-sort]")) {
        event.preventDefault();
        target.click();
      }
    });
    window.addEventListener("hashchange", fromHash);
    window.addEventListener("beforeprint", function () { render("all"); });
    window.addEventListener("afterprint", function () { render("page"); });
  }

  // ---------------------------------------------------------------- rendering

  function update() {
    filter();
    render("page");
    writeHash();
  }

  /** Render the current page ("page") or every matching document ("all", for printing). */
  function render(mode) {
    printing = mode === "all";
    var list = mode === "all" ? entries : entries.slice(pages[state.page][0], pages[state.page][1]);
    var main = byId("documents");
    var fragment = document.createDocumentFragment();
    list.forEach(function (entry) { fragment.appendChild(renderDoc(entry)); });
    if (!list.length) fragment.appendChild(el("p", "empty", L.no_match));
    while (main.firstChild) main.removeChild(main.firstChild);
    main.appendChild(fragment);
    byId("count").textContent = fmt(L.shown, { shown: shown, total: total });
    var cards = 0;
    entries.forEach(function (entry) { cards += cardKeys(entry).length; });
    byId("count-docs").textContent = fmt(L.shown_docs, { docs: entries.length, cards: cards });
    renderPager(byId("pager-top"));
    renderPager(byId("pager-bottom"));
    byId("filter-desc").textContent = describeFilter();
    renderOpinion(list);
  }

  /** The 审核意见 of the drafts shown (the page, or all when printing): per review dimension,
   *  each problem with its count, places, an example and the advice. Editable in the page. */
  function renderOpinion(list) {
    var box = byId("opinion");
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    list.forEach(function (entry) {
      var doc = entry.doc;
      if (docs.length > 1) {
        box.appendChild(el("h3", "opinion-doc", doc.path + (doc.department ? "　" + doc.department : "")));
      }
      if (!doc.opinion || !doc.opinion.length) {
        box.appendChild(el("p", null, L.opinion_empty));
        return;
      }
      doc.opinion.forEach(function (part, n) {
        var number = L.numerals ? L.numerals.charAt(n) + "、" : (n + 1) + ". ";
        box.appendChild(el("h4", null, number + part[0] + fmt(L.opinion_count, { n: part[1] })));
        var items = el("ol");
        part[2].forEach(function (item) {
          var li = el("li");
          li.appendChild(el("b", null, item[0] + fmt(L.opinion_count, { n: item[3] })));
          li.appendChild(el("span", "opinion-example", L.colon + L.opinion_example + L.colon + item[6]));
          var places = item[4].join(L.list_sep) + (item[5] ? L.list_sep + fmt(L.opinion_more, { n: item[5] }) : "");
          li.appendChild(el("p", "opinion-places", L.opinion_places + L.colon + places));
          li.appendChild(el("p", "opinion-advice", L.suggestion + L.colon + item[7]));
          items.appendChild(li);
        });
        box.appendChild(items);
      });
    });
  }

  function renderPager(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    if (pages.length < 2) return;
    var prev = el("button", null, L.prev);
    prev.type = "button";
    prev.disabled = state.page === 0;
    prev.addEventListener("click", function () { state.page -= 1; update(); byId("controls").scrollIntoView(); });
    var next = el("button", null, L.next);
    next.type = "button";
    next.disabled = state.page >= pages.length - 1;
    next.addEventListener("click", function () { state.page += 1; update(); byId("controls").scrollIntoView(); });
    node.appendChild(prev);
    node.appendChild(el("span", "page-no", fmt(L.page, { page: state.page + 1, pages: pages.length })));
    node.appendChild(next);
  }

  function describeFilter() {
    if (!narrowing() && !state.doc) return "";
    var parts = [];
    if (state.sev.length !== SEV.length) parts.push(L.severity + "=" + state.sev.map(function (s) { return SEV_LABEL[SEV.indexOf(s)]; }).join("/"));
    if (state.rule) parts.push(L.rule + "=" + state.rule);
    if (state.dim) parts.push(L.dimension + "=" + (DIM_LABEL[state.dim] || state.dim));
    if (state.doc) parts.push(L.file + "=" + state.doc);
    if (state.status) parts.push(L[state.status] || state.status);
    if (state.q.trim()) parts.push(L.search + " “" + state.q.trim() + "”");
    return L.filter_desc + L.colon + parts.join(L.semicolon) + "　" + fmt(L.shown, { shown: shown, total: total });
  }

  /** Card keys of a document entry in order: null (part one) first, then project indexes. */
  function cardKeys(entry) {
    var doc = entry.doc;
    var present = {};
    var general = false;
    entry.idx.forEach(function (i) {
      var p = doc.findings[i][F_PROJECT];
      if (p === null) general = true; else present[p] = true;
    });
    var keys = general ? [null] : [];
    var narrow = narrowing();
    doc.facts.forEach(function (facts) {
      if (!narrow || present[facts[P_INDEX]]) keys.push(facts[P_INDEX]);
    });
    return keys;
  }

  function renderDoc(entry) {
    var doc = entry.doc;
    var section = el("section", "doc");
    section.id = "doc-" + doc.n;
    var head = el("header", "doc-head");
    var h2 = el("h2");
    h2.appendChild(el("span", "doc-n", doc.n));
    h2.appendChild(el("span", "path", doc.path));
    head.appendChild(h2);
    var counts = [0, 0, 0];
    doc.findings.forEach(function (f) { counts[f[F_SEVERITY]] += 1; });
    var meta = [L.department + L.colon + orDash(doc.department), L.year + L.colon + orDash(doc.year),
      L.projects + L.colon + doc.projects + L.projects_unit,
      L.findings + L.colon + doc.findings.length + L.findings_unit + L.open_paren +
        SEV_LABEL.map(function (label, i) { return label + " " + counts[i]; }).join(L.comma) + L.close_paren];
    var metaLine = el("p", "doc-meta", meta.join("　"));
    if (doc.layout) {
      metaLine.appendChild(document.createTextNode("　" + L.layout + L.colon));
      metaLine.appendChild(el("span", "layout", doc.layout));
    }
    head.appendChild(metaLine);
    if (doc.notes && doc.notes.length) head.appendChild(renderReaderNotes(doc.notes));
    if (doc.verdict) head.appendChild(renderVerdicts(doc.verdict));
    if (doc.nc.length) {
      var nc = el("ul", "doc-notes");
      doc.nc.forEach(function (item) {
        var reasons = Object.keys(item[2]).map(function (r) { return config.reasons[r] || r; });
        nc.appendChild(el("li", null, fmt(L.nc_doc, { rule: item[0], n: item[1], reasons: reasons.join(L.list_sep) || L.none })));
      });
      head.appendChild(nc);
    }
    if (doc.errors.length) {
      var errors = el("ul", "doc-notes errors");
      doc.errors.forEach(function (message) { errors.appendChild(el("li", null, L.doc_errors + L.colon + message)); });
      head.appendChild(errors);
    }
    section.appendChild(head);

    var byProject = { general: [] };
    entry.idx.forEach(function (i) {
      var p = doc.findings[i][F_PROJECT];
      var key = p === null ? "general" : "p" + p;
      (byProject[key] = byProject[key] || []).push(i);
    });
    var keys = cardKeys(entry);
    keys.forEach(function (key) {
      section.appendChild(renderCard(doc, key, key === null ? byProject.general : byProject["p" + key] || []));
    });
    if (!keys.length) section.appendChild(el("p", "clean", L.no_findings));
    return section;
  }

  /** The draft's verdict and each project's (通过 / 修改后通过 / 不通过), with why and the
   *  indicators that send it back; a project's row links to its card when it has one. */
  function renderVerdicts(verdict) {
    var box = el("div", "verdicts-doc");
    var line = el("p", "doc-verdict");
    line.appendChild(el("span", null, L.verdict_col + L.colon));
    line.appendChild(el("span", "verdict-tag verdict-" + verdict[0], verdict[1]));
    line.appendChild(el("span", "muted", "　" + fmt(L.verdict_counts, verdict[2])));
    box.appendChild(line);
    var table = el("table", "verdict-table");
    var head = el("tr");
    [L.index, L.name, L.verdict_col, L.reasons_col, L.indicators_col].forEach(function (h) { head.appendChild(el("th", null, h)); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    verdict[3].forEach(function (p) {
      var tr = el("tr");
      tr.setAttribute("data-verdict", p[2]);
      tr.appendChild(el("td", "num", p[0] === null ? "" : String(p[0])));
      var name = el("td");
      name.textContent = p[0] === null ? L.part_one : p[1];
      tr.appendChild(name);
      var cell = el("td");
      cell.appendChild(el("span", "verdict-tag verdict-" + p[2], p[3]));
      tr.appendChild(cell);
      tr.appendChild(el("td", null, p[4].join(L.list_sep)));
      tr.appendChild(el("td", "indicators", p[5].join(L.list_sep)));
      body.appendChild(tr);
    });
    table.appendChild(body);
    var details = el("details", "verdict-list");
    details.open = printing || verdict[3].length <= 30;
    details.appendChild(el("summary", null, L.projects_verdicts));
    details.appendChild(table);
    box.appendChild(details);
    return box;
  }

  /** What the reader noticed and worked around, each note with where it is; folded when there
   *  are many, unfolded when printing. */
  function renderReaderNotes(notes) {
    var box = el("details", "reader-notes");
    box.open = printing || notes.length <= 3;
    box.appendChild(el("summary", null, L.reader_notes + fmt(L.notes_count, { n: notes.length })));
    var list = el("ul", "doc-notes");
    notes.forEach(function (note) {
      var li = el("li");
      var where = [];
      if (note[1] !== null && note[1] !== undefined) where.push(fmt(L.at_line, { n: note[1] }));
      if (note[2]) where.push(note[2]);
      if (where.length) li.appendChild(el("span", "loc", where.join(" ") + L.colon));
      li.appendChild(document.createTextNode(note[0]));
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  function renderCard(doc, index, idx) {
    var card = el("article", index === null ? "card general" : "card");
    card.id = index === null ? "general-" + doc.n : "project-" + doc.n + "-" + index;
    var h3 = el("h3");
    var facts = index === null ? null : doc.factsByIndex[index];
    if (index === null) {
      h3.appendChild(el("span", null, L.part_one));
    } else {
      h3.appendChild(el("span", "pidx", L.project + " " + index));
      var name = el("span", null, facts ? facts[P_NAME] : "");
      if (facts && facts[P_HEADING]) name.title = facts[P_HEADING];  // the table's heading as written
      h3.appendChild(name);
    }
    var anchor = el("a", "anchor no-print", "#");
    anchor.href = "#" + card.id;
    h3.appendChild(anchor);
    var badges = el("span", "badges");
    var counts = [0, 0, 0];
    idx.forEach(function (i) { counts[doc.findings[i][F_SEVERITY]] += 1; });
    counts.forEach(function (n, s) { if (n) badges.appendChild(el("span", "sev-tag sev-" + SEV[s], SEV_LABEL[s] + " " + n)); });
    h3.appendChild(badges);
    card.appendChild(h3);
    if (facts) card.appendChild(renderFacts(facts));
    if (!idx.length) {
      card.appendChild(el("p", "clean", L.no_findings));
      return card;
    }
    card.appendChild(renderFindings(doc, sorted(doc, idx)));
    return card;
  }

  function renderFacts(facts) {
    var dl = el("dl", "facts");
    var add = function (label, value, wide) {
      dl.appendChild(el("dt", wide ? "wide" : null, label));
      var dd = el("dd", wide ? "wide" : null);
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = orDash(value);
      dl.appendChild(dd);
    };
    add(L.index, facts[P_INDEX]);
    add(L.code, facts[P_CODE]);
    add(L.name, facts[P_NAME], true);
    var budget = facts[P_BUDGET];
    var unit = facts[P_MONEY_UNIT] || "";
    var budgetText = L.none;
    if (budget) {
      // a part the form has no field for (null) is left out; an empty one shows as a dash
      var parts = [];
      if (budget[1] !== null && budget[1] !== undefined) parts.push(L.fiscal + " " + orDash(budget[1]));
      if (budget[2] !== null && budget[2] !== undefined) parts.push(L.other + " " + orDash(budget[2]));
      budgetText = orDash(budget[0]) + (budget[0] && unit ? " " + unit : "") +
        (parts.length ? L.open_paren + parts.join(L.comma) + L.close_paren : "");
    }
    add(L.budget, budgetText);
    add(L.unit, unit || null);
    var schedule = facts[P_SCHEDULE] || [];
    if (schedule.length) {
      add(facts[P_SCHEDULE_HEADER] || L.schedule, scheduleTable(schedule, null, {}), true);
    } else {
      add(L.schedule, null, true);
    }
    add(L.source_line, facts[P_LINE]);
    add(L.goals + " / " + L.indicators, orDash(facts[P_GOALS]) + " / " + orDash(facts[P_INDICATORS]));
    return dl;
  }

  function scheduleTable(points, header, hits) {
    var table = el("table", "schedule");
    var labels = el("tr");
    var values = el("tr");
    if (header !== null) {
      var corner = el("th", null, header);
      corner.rowSpan = 2;
      labels.appendChild(corner);
    }
    points.forEach(function (point, i) {
      labels.appendChild(el("th", null, point[0]));
      var td = el("td", hits[i] ? "hit" : null);
      td.textContent = orDash(point[1]);
      values.appendChild(td);
    });
    table.appendChild(labels);
    table.appendChild(values);
    return table;
  }

  function renderFindings(doc, order) {
    var table = el("table", "findings");
    var colgroup = el("colgroup");
    ["c-loc", "c-sev", "c-rule", "c-dim", "c-body"].forEach(function (cls) { colgroup.appendChild(el("col", cls)); });
    table.appendChild(colgroup);
    var thead = el("thead");
    var tr = el("tr");
    [["line", L.line], ["severity", L.severity], ["rule", L.rule], [null, L.dimension], [null, L.message]].forEach(function (col) {
      var th = el("th", null, col[1]);
      if (col[0]) {
        th.setAttribute("data-sort", col[0]);
        th.setAttribute("aria-sort", state.sort === col[0] ? (state.dir > 0 ? "ascending" : "descending") : "none");
        th.title = L.sort;
        th.tabIndex = 0;
      }
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    order.forEach(function (i) { tbody.appendChild(renderFinding(doc, doc.findings[i])); });
    table.appendChild(tbody);
    return table;
  }

  function renderFinding(doc, f) {
    var status = statusOf(f);
    var tr = el("tr", "f sev-" + SEV[f[F_SEVERITY]] + (status !== "active" ? " " + status : ""));
    tr.setAttribute("data-rule", f[F_RULE]);
    var loc = f[F_LINE] === null ? (f[F_REF] || L.none) : f[F_LINE] + (f[F_COLUMN] !== null ? ":" + f[F_COLUMN] : "");
    tr.appendChild(el("td", "loc", loc));
    var sev = el("td");
    sev.appendChild(el("span", "sev-tag sev-" + SEV[f[F_SEVERITY]], SEV_LABEL[f[F_SEVERITY]]));
    tr.appendChild(sev);
    var rule = el("td", "rule", f[F_RULE]);
    if (RULE_TITLE[f[F_RULE]]) rule.title = RULE_TITLE[f[F_RULE]];
    tr.appendChild(rule);
    tr.appendChild(el("td", "dim", DIM_LABEL[f[F_DIMENSION]] || f[F_DIMENSION]));
    var body = el("td", "body");
    if (status === "waived") body.appendChild(el("span", "state-tag waived", fmt(L.waived_reason, { reason: f[F_WAIVED] })));
    if (status === "baseline") body.appendChild(el("span", "state-tag", L.baseline));
    body.appendChild(el("p", "msg", f[F_MESSAGE]));
    var suggestion = doc.texts[f[F_SUGGESTION]];
    if (suggestion) {
      var sug = el("p", "sug");
      sug.appendChild(el("b", null, L.suggestion + L.colon));
      sug.appendChild(document.createTextNode(suggestion));
      body.appendChild(sug);
    }
    var where = el("p", "where");
    where.appendChild(el("b", null, L.field + L.colon));
    where.appendChild(el("code", null, f[F_FIELD]));
    if (f[F_LINE] !== null) {
      where.appendChild(document.createTextNode("　" + L.line + " " + f[F_LINE] +
        (f[F_COLUMN] !== null ? L.comma + L.column + " " + f[F_COLUMN] : "")));
    }
    body.appendChild(where);
    var ctx = renderContext(doc, f);
    if (ctx) body.appendChild(ctx);
    tr.appendChild(body);
    return tr;
  }

  // ---------------------------------------------------------------- context

  /** Index in a field path such as "spending_plan.points[3]" or "sections[1].items[4]". */
  function fieldIndex(field, name) {
    var m = new RegExp("(?:^|\\.)" + name + "\\[(\\d+)\\]").exec(field || "");
    return m ? parseInt(m[1], 10) : -1;
  }

  function renderContext(doc, f) {
    var context = f[F_CONTEXT] === null ? null : doc.contexts[f[F_CONTEXT]];
    var evidence = f[F_EVIDENCE] || "";
    var field = f[F_FIELD] || "";
    var box = el("div", "ctx");
    var found = false;
    var type = context ? context.type : null;
    if (type === "indicator") {
      found = indicatorTable(box, [context.cells || {}], field, evidence, true);
    } else if (type === "table") {
      found = indicatorTable(box, context.rows || [], field, evidence, false);
    } else if (type === "schedule") {
      found = scheduleContext(box, context, field, evidence);
    } else if (type === "comparison") {
      found = comparisonTable(box, context);
    } else if (type === "goals") {
      found = listContext(box, (context.items || []).map(function (item) {
        return (item[0] ? item[0] + "、" : "") + item[1];
      }), context.selected, evidence);
    } else if (type === "section") {
      var item = fieldIndex(field, "items");
      if (item < 0 && context.heading && evidence && context.heading.indexOf(evidence) >= 0) {
        var head = el("p", "hit");
        appendMarked(head, context.heading, evidence);
        box.appendChild(head);
        found = true;
      } else if (context.heading) {
        box.appendChild(el("p", "ctx-label", context.heading));
      }
      found = listContext(box, context.items || [], item >= 0 ? item : null, evidence) || found;
    } else if (type === "text") {
      var kind = L["kind_" + context.kind] || L[context.kind] || context.kind;
      var p = el("p");
      if (kind) p.appendChild(el("span", "ctx-label", kind + L.colon));
      found = appendMarked(p, context.text, evidence);
      box.appendChild(p);
    } else if (!evidence) {
      return null;
    }
    if (evidence && !found) {
      var line = el("p");
      line.appendChild(el("span", "ctx-label", L.evidence + L.colon));
      line.appendChild(el("mark", null, evidence));
      box.appendChild(line);
    }
    return box;
  }

  /** The indicator row(s) as a small table, the evidence marked in its cell. */
  function indicatorTable(box, rows, field, evidence, single) {
    var m = /\.(level1|level2|level3|description|value|basis)$/.exec(field);
    var wanted = m ? m[1] : null;
    var table = el("table");
    var head = el("tr");
    CELLS.forEach(function (name) { head.appendChild(el("th", null, L[name])); });
    table.appendChild(head);
    var found = false;
    rows.forEach(function (cells) {
      var tr = el("tr");
      var target = null;
      if (single && evidence) {
        if (wanted && String(cells[wanted] || "").indexOf(evidence) >= 0) target = wanted;
        else for (var c = 0; c < CELLS.length && !target; c++) if (String(cells[CELLS[c]] || "").indexOf(evidence) >= 0) target = CELLS[c];
      }
      if (single && !evidence && wanted) target = wanted;
      CELLS.forEach(function (name) {
        var td = el("td", name === target ? "hit" : null);
        if (name === target && evidence) found = appendMarked(td, cells[name], evidence) || found;
        else td.textContent = cells[name] === null || cells[name] === undefined ? "" : String(cells[name]);
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    box.appendChild(table);
    return found;
  }

  /** Two projects' indicator rows side by side (table-copy): what is the same, what was changed. */
  function comparisonTable(box, context) {
    var table = el("table", "comparison");
    var head = el("tr");
    [L.level3, L.this_project, L.other_project.replace("{index}", context.other_index), ""].forEach(function (text) {
      head.appendChild(el("th", null, text));
    });
    table.appendChild(head);
    (context.rows || []).forEach(function (row) {
      var tr = el("tr", "cmp-" + row[3]);
      tr.appendChild(el("td", null, row[0]));
      tr.appendChild(el("td", row[3] === "changed" ? "hit" : null, row[1]));
      tr.appendChild(el("td", row[3] === "changed" ? "hit" : null, row[2]));
      tr.appendChild(el("td", null, L["cmp_" + row[3]] || row[3]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return true;
  }

  function scheduleContext(box, context, field, evidence) {
    var points = context.points || [];
    var hits = {};
    var point = fieldIndex(field, "points");
    if (point >= 0) hits[point] = true;
    else if (/(^|\.)points$/.test(field) || /^spending_plan$/.test(field)) points.forEach(function (p, i) { hits[i] = true; });
    else if (evidence) points.forEach(function (p, i) { if (evidence.indexOf(p[1]) >= 0 && p[1]) hits[i] = true; });
    var p = el("p");
    var budgetHit = /^budget/.test(field);
    p.appendChild(el("span", "ctx-label", L.budget + L.colon));
    var budget = el("span", budgetHit ? "hit" : null, orDash(context.budget) + (context.budget && context.money_unit ? " " + context.money_unit : ""));
    p.appendChild(budget);
    box.appendChild(p);
    if (points.length) box.appendChild(scheduleTable(points, context.header || L.schedule, hits));
    var any = Object.keys(hits).length > 0 || budgetHit;
    return any || !evidence;
  }

  /** Numbered items (goals, paragraphs of a section) with the selected one marked; long lists
   *  show the selected item with its neighbours. */
  function listContext(box, items, selected, evidence) {
    if (selected === null || selected === undefined || selected < 0) {
      selected = -1;
      if (evidence) for (var s = 0; s < items.length; s++) if (String(items[s]).indexOf(evidence) >= 0) { selected = s; break; }
    }
    var list = el("ul");
    var found = false;
    var near = items.length > 5 && selected >= 0;
    items.forEach(function (text, i) {
      if (near && Math.abs(i - selected) > 1) {
        if (i === selected - 2 || i === selected + 2) list.appendChild(el("li", "gap", "…"));
        return;
      }
      var li = el("li", i === selected ? "hit" : null);
      if (i === selected && evidence) found = appendMarked(li, text, evidence) || found;
      else li.textContent = String(text);
      if (i === selected && !evidence) found = true;
      list.appendChild(li);
    });
    box.appendChild(list);
    return found || (selected >= 0 && !evidence);
  }

  // ---------------------------------------------------------------- deep links

  function deepLink(id) {
    return /^(project-\d+-\d+|general-\d+|doc-\d+)$/.test(id || "");
  }

  /** Show the card or document `id` (#project-<doc>-<index>, #general-<doc>, #doc-<doc>): clear
   *  filters that hide it, turn to its page, scroll to it and highlight it. */
  function reveal(id) {
    if (!deepLink(id)) return false;
    var parts = id.split("-");
    var n = parseInt(parts[1], 10);
    var visible = function () {
      var entry = null;
      for (var e = 0; e < entries.length; e++) if (entries[e].doc.n === n) { entry = entries[e]; break; }
      if (!entry) return -1;
      if (parts[0] === "doc") return entries.indexOf(entry);
      var keys = cardKeys(entry);
      var want = parts[0] === "general" ? null : parseInt(parts[2], 10);
      return keys.indexOf(want) >= 0 ? entries.indexOf(entry) : -1;
    };
    var at = visible();
    if (at < 0) {
      clearFilters();
      syncControls();
      filter();
      at = visible();
    }
    if (at < 0) return false;
    for (var p = 0; p < pages.length; p++) if (at >= pages[p][0] && at < pages[p][1]) state.page = p;
    render("page");
    var node = byId(id);
    if (!node) return false;
    Array.prototype.forEach.call(document.querySelectorAll(".card.target"), function (card) { card.classList.remove("target"); });
    if (node.classList.contains("card")) node.classList.add("target");
    node.scrollIntoView({ block: "start" });
    settle(node, 10);
    return true;
  }

  // Cards off screen are laid out with an estimated height (content-visibility), so the page
  // above a deep-linked card grows as it is drawn: scroll to it again until it stays put.
  function settle(node, tries) {
    window.requestAnimationFrame(function () {
      if (tries > 0 && Math.abs(node.getBoundingClientRect().top) > 1) {
        node.scrollIntoView({ block: "start" });
        settle(node, tries - 1);
      }
    });
  }

  function fromHash() {
    var hash = location.hash;
    if (hash.indexOf("#filter:") === 0) {
      readHash(hash);
      syncControls();
      filter();
      render("page");
      return;
    }
    if (deepLink(hash.slice(1))) reveal(hash.slice(1));
  }

  // ---------------------------------------------------------------- start

  var summary = byId("summary");
  var slot = byId("summary-slot");
  if (summary && slot) slot.parentNode.replaceChild(summary, slot);
  load();
  fillControls();
  bindControls();
  if (location.hash.indexOf("#filter:") === 0) readHash(location.hash);
  syncControls();
  filter();
  render("page");
  if (deepLink(location.hash.slice(1))) reveal(location.hash.slice(1));
  document.documentElement.setAttribute("data-ready", "1");
})();
