/* SPDX-License-Identifier: MIT */
/*
 * trace_page.c - the fixed text of the trace's web page (trace_html.c
 * writes the rest): its style, the panels, and the script that steps
 * through the steps the exporter computed.  It loads nothing: no network,
 * no file beside it, no font but the browser's own, so the page opens
 * from a double click, offline.
 *
 * The script is plain ES5 and written without double quotes, backslashes
 * or two question marks in a row, so that it reads here as it runs there.
 * Each string stays under the 4095 characters a C99 compiler must take.
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

static const char *const head[] = {
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>flowno schedule</title>\n<style>\n"
    "body { font-family: sans-serif; margin: 12px; color: #212121; }\n"
    "h1 { font-size: 18px; margin: 0 0 6px; }\n"
    "h2 { font-size: 15px; margin: 0 0 6px; }\n"
    "h3 { font-size: 13px; margin: 10px 0 2px; color: #455a64; }\n"
    "#controls button { font: inherit; padding: 2px 10px; }\n"
    "#slider { width: 320px; vertical-align: middle; }\n"
    "#where { margin-left: 10px; font-weight: bold; }\n"
    ".help { color: #607d8b; font-size: 12px; margin: 4px 0 10px; }\n"
    "main { display: flex; gap: 16px; align-items: flex-start; }\n"
    "#left { flex: 1 1 auto; min-width: 0; }\n"
    "#scroll { overflow-x: auto; border: 1px solid #cfd8dc; }\n"
    "#stepbox { max-height: 45vh; overflow-y: auto; margin-top: 8px; border: 1px solid #cfd8dc; }\n"
    "#steps { border-collapse: collapse; font-size: 13px; width: 100%; }\n"
    "#steps td { padding: 1px 8px; border-bottom: 1px solid #eceff1; white-space: nowrap; }\n"
    "#steps tr { cursor: pointer; }\n"
    "#steps tr.now { background: #bbdefb; }\n"
    "#state { flex: 0 0 400px; border: 1px solid #cfd8dc; padding: 8px 12px; font-size: 13px;\n"
    "  position: sticky; top: 8px; max-height: 94vh; overflow-y: auto; }\n"
    ".cmd, code { font-family: monospace; }\n"
    "ol, ul { margin: 2px 0 6px; padding-left: 22px; }\n"
    "li.none { color: #90a4ae; list-style: none; margin-left: -22px; }\n"
    "#tasks { border-collapse: collapse; }\n"
    "#tasks td { padding: 1px 6px; border-bottom: 1px solid #eceff1; }\n"
    "tr.running td { background: #c8e6c9; }\n"
    "tr.ready td { background: #ffecb3; }\n"
    "tr.ended td { color: #90a4ae; }\n"
    "</style>\n</head>\n<body>\n",
    "<h1>flowno schedule</h1>\n"
    "<div id=\"controls\"><button id=\"first\" title=\"first step (Home)\">|&lt;</button>\n"
    "<button id=\"prev\" title=\"step back (left arrow)\">&lt; back</button>\n"
    "<input id=\"slider\" type=\"range\" min=\"1\" max=\"1\" value=\"1\">\n"
    "<button id=\"next\" title=\"step forward (right arrow)\">forward &gt;</button>\n"
    "<button id=\"last\" title=\"last step (End)\">&gt;|</button>\n"
    "<span id=\"where\"></span></div>\n"
    "<p class=\"help\">A step is one call of a task, up to the command it returned, with what that"
    " command did at once; or what a timer, a signal or an fd made ready between steps. The"
    " blue band marks it on the timeline. Keys: left and right arrows, Home, End. The address"
    " keeps the step: add #step=N to open another.</p>\n"
    "<main>\n<section id=\"left\">\n<div id=\"scroll\">\n",
    NULL};

static const char *const panels[] = {
    "</div>\n<div id=\"stepbox\"><table id=\"steps\"></table></div>\n</section>\n"
    "<aside id=\"state\">\n<h2 id=\"title\"></h2>\n<p id=\"what\"></p>\n"
    "<h3>Made ready by this step</h3>\n<ul id=\"wakes\"></ul>\n"
    "<h3>Running</h3>\n<p id=\"running\"></p>\n"
    "<h3>Ready list, in order</h3>\n<ol id=\"ready\"></ol>\n"
    "<h3>Wait lists, each in order</h3>\n<ul id=\"lists\"></ul>\n"
    "<h3>Timers, soonest first</h3>\n<ol id=\"timers\"></ol>\n"
    "<h3>Tasks</h3>\n<table id=\"tasks\"></table>\n</aside>\n</main>\n",
    NULL};

static const char *const script[] = {
    "<script>\n(function () {\n"
    "var data = JSON.parse(document.getElementById('trace-data').textContent);\n"
    "var steps = data.steps, rows = data.rows, at = -1;\n"
    "var NL = String.fromCharCode(10);\n"
    "function el(id) { return document.getElementById(id); }\n"
    "function ms(us) {\n"
    "  var s = (us / 1000).toFixed(3).replace(/0+$/, '').replace(/[.]$/, '');\n"
    "  return s + ' ms';\n"
    "}\n"
    "function name(r) { return r < 0 ? 'outside the tasks' : rows[r]; }\n"
    "function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }\n"
    "function add(parent, tag, text, cls) {\n"
    "  var e = document.createElement(tag);\n"
    "  if (text !== undefined) e.textContent = text;\n"
    "  if (cls) e.className = cls;\n"
    "  parent.appendChild(e);\n"
    "  parent.appendChild(document.createTextNode(NL));\n"
    "  return e;\n"
    "}\n"
    "function items(list, texts) {\n"
    "  clear(list);\n"
    "  texts.forEach(function (t) { add(list, 'li', t); });\n"
    "  if (!texts.length) add(list, 'li', 'none', 'none');\n"
    "}\n",
    "var table = el('steps');\n"
    "steps.forEach(function (s, i) {\n"
    "  var tr = add(table, 'tr', undefined, 'step');\n"
    "  tr.id = 's' + (i + 1);\n"
    "  add(tr, 'td', String(i + 1));\n"
    "  add(tr, 'td', ms(s.t));\n"
    "  add(tr, 'td', name(s.task));\n"
    "  add(tr, 'td', s.cmd, 'cmd');\n"
    "  add(tr, 'td', s.then);\n"
    "  tr.onclick = function () { show(i); };\n"
    "});\n"
    "el('slider').max = String(steps.length);\n"
    "var cursor = el('cursor'), rowmark = el('rowmark');\n"
    "function state(s, r) {\n"
    "  var t = s.tasks[r];\n"
    "  if (!t) return '';\n"
    "  return t.split(':')[0].split(' ')[0];\n"
    "}\n",
    "function show(i) {\n"
    "  if (!steps.length) return;\n"
    "  i = Math.max(0, Math.min(steps.length - 1, i));\n"
    "  var s = steps[i], old = el('s' + (at + 1)), now = el('s' + (i + 1));\n"
    "  at = i;\n"
    "  el('where').textContent = 'step ' + (i + 1) + ' of ' + steps.length + ', at ' + ms(s.t);\n"
    "  el('slider').value = String(i + 1);\n"
    "  el('title').textContent = 'Step ' + (i + 1) + ' of ' + steps.length + ', at ' + ms(s.t);\n"
    "  if (s.task >= 0 && s.cmd) {\n"
    "    el('what').textContent = rows[s.task] + ' ran and returned ' + s.cmd + ': ' +\n"
    "      s.then + '.';\n"
    "  } else if (s.task >= 0) {\n"
    "    el('what').textContent = rows[s.task] + ' is running.';\n"
    "  } else {\n"
    "    el('what').textContent = 'Between steps: ' + s.then + '.';\n"
    "  }\n"
    "  items(el('wakes'), s.wakes.map(function (w) { return name(w[0]) + ': ' + w[1]; }));\n"
    "  el('running').textContent = s.run < 0 ? 'nobody: the loop is between steps' : rows[s.run];\n"
    "  items(el('ready'), s.ready.map(name));\n"
    "  items(el('lists'), s.lists.map(function (l) {\n"
    "    return l[0] + ': ' + l[1].map(name).join(', ');\n"
    "  }));\n"
    "  items(el('timers'), s.timers.map(function (t) {\n"
    "    return name(t[0]) + ' at ' + ms(t[1]) + ' (' + t[2] + ')';\n"
    "  }));\n",
    "  var tasks = clear(el('tasks'));\n"
    "  rows.forEach(function (n, r) {\n"
    "    var tr = add(tasks, 'tr', undefined, 'task ' + state(s, r));\n"
    "    add(tr, 'td', n);\n"
    "    add(tr, 'td', s.tasks[r] || 'not spawned yet');\n"
    "  });\n"
    "  if (cursor) {\n"
    "    cursor.setAttribute('x', String(s.x0 - 2));\n"
    "    cursor.setAttribute('width', String(Math.max(4, s.x1 - s.x0 + 4)));\n"
    "    var box = el('scroll');\n"
    "    if (s.x0 < box.scrollLeft || s.x1 > box.scrollLeft + box.clientWidth)\n"
    "      box.scrollLeft = Math.max(0, s.x0 - box.clientWidth / 3);\n"
    "  }\n"
    "  if (rowmark) {\n"
    "    rowmark.setAttribute('y', String(data.top + Math.max(0, s.task) * data.row));\n"
    "    rowmark.setAttribute('visibility', s.task < 0 ? 'hidden' : 'visible');\n"
    "  }\n"
    "  if (old) old.className = 'step';\n"
    "  if (now) {\n"
    "    now.className = 'step now';\n"
    "    var sb = el('stepbox');\n"
    "    if (now.offsetTop < sb.scrollTop || now.offsetTop > sb.scrollTop + sb.clientHeight - 20)\n"
    "      sb.scrollTop = now.offsetTop - sb.clientHeight / 2;\n"
    "  }\n"
    "  try { history.replaceState(null, '', '#step=' + (i + 1)); } catch (e) { }\n"
    "}\n",
    "el('first').onclick = function () { show(0); };\n"
    "el('prev').onclick = function () { show(at - 1); };\n"
    "el('next').onclick = function () { show(at + 1); };\n"
    "el('last').onclick = function () { show(steps.length - 1); };\n"
    "el('slider').oninput = function () { show(Number(el('slider').value) - 1); };\n"
    "document.onkeydown = function (e) {\n"
    "  var to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: steps.length - 1 }[e.key];\n"
    "  if (to === undefined || e.target === el('slider')) return;\n"
    "  e.preventDefault();\n"
    "  show(to);\n"
    "};\n"
    "function fromAddress() {\n"
    "  var m = /step=([0-9]+)/.exec(location.hash);\n"
    "  show(m ? Number(m[1]) - 1 : 0);\n"
    "}\n"
    "window.onhashchange = function () {\n"
    "  var m = /step=([0-9]+)/.exec(location.hash);\n"
    "  if (m && Number(m[1]) - 1 !== at) show(Number(m[1]) - 1);\n"
    "};\n"
    "fromAddress();\n"
    "})();\n</script>\n</body>\n</html>\n",
    NULL};

void fl_tr_put_page_(tr_out *o, int part)
{
    const char *const *text = part == TR_PAGE_HEAD     ? head
                            : part == TR_PAGE_PANELS ? panels
                                                     : script;
    for (; *text != NULL; text++)
        fl_tr_puts_(o, *text);
}

#endif /* FL_ENABLE_TRACE */
