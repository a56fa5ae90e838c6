// Draws a project's dependency graph as SVG: one column per depth (the
// longest chain of blockers before a task), blockers left of the tasks
// waiting for them.  The data sits in the element's data-graph attribute,
// so that the page needs no inline script (the Content-Security-Policy
// allows only scripts carrying the page's nonce).
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var W = 170, H = 34, GAP_X = 60, GAP_Y = 18;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function depths(nodes, edges) {
    var depth = {}, changed = true, rounds = 0;
    nodes.forEach(function (n) { depth[n.id] = 0; });
    // Longest path by relaxation; a graph without cycles settles within
    // as many rounds as it has nodes.
    while (changed && rounds <= nodes.length) {
      changed = false;
      rounds += 1;
      edges.forEach(function (e) {
        if (e[0] in depth && e[1] in depth && depth[e[1]] < depth[e[0]] + 1) {
          depth[e[1]] = depth[e[0]] + 1;
          changed = true;
        }
      });
    }
    return depth;
  }

  function draw(container) {
    var graph = JSON.parse(container.getAttribute('data-graph'));
    var depth = depths(graph.nodes, graph.edges);
    var rows = {}, where = {}, width = 0, height = 0;
    graph.nodes.forEach(function (n) {
      var d = depth[n.id];
      rows[d] = (rows[d] || 0) + 1;
      where[n.id] = {x: 10 + d * (W + GAP_X), y: 10 + (rows[d] - 1) * (H + GAP_Y)};
      width = Math.max(width, where[n.id].x + W + 10);
      height = Math.max(height, where[n.id].y + H + 10);
    });
    var svg = el('svg', {width: width, height: height, role: 'img',
                         'aria-label': 'Dependency graph'});
    var defs = el('defs', {}, svg);
    var marker = el('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 10,
                               refY: 5, markerWidth: 6, markerHeight: 6,
                               orient: 'auto'}, defs);
    el('path', {d: 'M0,0 L10,5 L0,10 z', fill: '#889'}, marker);
    graph.edges.forEach(function (e) {
      var a = where[e[0]], b = where[e[1]];
      if (!a || !b) { return; }
      el('path', {'class': 'edge', 'marker-end': 'url(#arrow)',
                  d: 'M' + (a.x + W) + ',' + (a.y + H / 2) + ' C' +
                     (a.x + W + GAP_X / 2) + ',' + (a.y + H / 2) + ' ' +
                     (b.x - GAP_X / 2) + ',' + (b.y + H / 2) + ' ' +
                     b.x + ',' + (b.y + H / 2)}, svg);
    });
    graph.nodes.forEach(function (n) {
      var p = where[n.id];
      var link = el('a', {href: n.url}, svg);
      var g = el('g', {'class': 'node ' + n.css, 'data-task': n.id}, link);
      el('rect', {x: p.x, y: p.y, width: W, height: H, rx: 5}, g);
      var text = el('text', {x: p.x + 8, y: p.y + H / 2 + 5}, g);
      text.textContent = '#' + n.id + ' ' + n.title;
    });
    container.appendChild(svg);
    container.setAttribute('data-drawn', String(graph.nodes.length));
  }

  document.addEventListener('DOMContentLoaded', function () {
    var container = document.getElementById('task-graph');
    if (container) { draw(container); }
  });
}());
