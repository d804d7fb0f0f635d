/**
 * The page's own script: draws each chart with Observable Plot from the JSON the page embeds
 * (lanes, bars and failure bins laid out by chart-data.ts). Charts are drawn when they scroll
 * near the viewport (a 200-workload page has 400 of them) and all at once before printing.
 * It reads data only through JSON.parse and writes text only through Plot and textContent,
 * never innerHTML. Plain ES2017 in a string: it runs in the browser, not in Node.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var LABEL_CHARS = 30;
  var MARGIN_LEFT = 190;
  var ROW_PX = 22;
  var MIN_ROW_PX = 12;
  var MAX_LANES_PX = 1400;
  var dataElement = document.getElementById('rollsafe-chart-data');
  if (!dataElement) return;
  var data = JSON.parse(dataElement.textContent || '{}');
  var keys = data.keys;
  var causes = data.causes;

  function fmt(x) {
    return Math.round(x * 10) / 10 + ' s';
  }

  function short(text) {
    return text.length > LABEL_CHARS ? text.slice(0, LABEL_CHARS - 1) + '\u2026' : text;
  }

  function timelinePlot(spec, end, width, figure) {
    var bars = spec.bars.map(function (b) {
      return { x1: b[0], x2: b[1], y1: b[2], y2: b[3], key: keys[b[4]], lane: spec.lanes[b[5]], backend: b[6] };
    });
    var lanes = spec.lanes.map(function (lane, i) {
      return { label: lane.label, top: lane.top, bottom: lane.bottom, kind: lane.kind, stripe: i % 2 === 1 };
    });
    var marks = [
      Plot.rect(lanes, {
        x1: function () { return 0; },
        x2: function () { return end; },
        y1: 'top',
        y2: 'bottom',
        fill: function (d) { return d.kind === 'view' ? '#eef3f8' : d.stripe ? '#f6f6f6' : '#ffffff'; },
      }),
      Plot.rect(bars, {
        x1: 'x1',
        x2: 'x2',
        y1: 'y1',
        y2: 'y2',
        fill: function (d) { return d.key.color; },
        stroke: function (d) { return d.key.id === 'gone' ? '#999999' : 'none'; },
        strokeWidth: 0.5,
        title: function (d) {
          return d.lane.label + (d.backend ? ' \u2192 ' + d.backend : '') + '\n' + d.key.label + ': ' + fmt(d.x1) + ' \u2013 ' + fmt(d.x2);
        },
      }),
      Plot.text(lanes, {
        y: function (d) { return (d.top + d.bottom) / 2; },
        frameAnchor: 'left',
        dx: -6,
        textAnchor: 'end',
        fontWeight: function (d) { return d.kind === 'view' ? 'bold' : 'normal'; },
        text: function (d) { return short(d.label); },
        title: function (d) { return d.label.length > LABEL_CHARS ? d.label : null; },
      }),
      Plot.ruleX([spec.rolloutSeconds], { stroke: '#000000', strokeDasharray: '4,3' }),
      Plot.text([spec.rolloutSeconds], {
        x: function (d) { return d; },
        frameAnchor: 'top',
        dy: -9,
        dx: 3,
        textAnchor: 'start',
        text: function () { return spec.completed ? 'rollout complete' : 'rollout incomplete'; },
      }),
    ];
    return Plot.plot({
      width: width,
      // Rows shrink for big rollouts (down to a label's height), so 100 pods stay one screen tall or so.
      height: Math.round(spec.rows * Math.max(MIN_ROW_PX, Math.min(ROW_PX, MAX_LANES_PX / spec.rows))) + 50,
      marginLeft: MARGIN_LEFT,
      marginRight: 12,
      marginTop: 20,
      marginBottom: 34,
      style: { fontSize: '11px', background: 'transparent' },
      x: { domain: [0, end], label: 'seconds since the rollout started \u2192', grid: true },
      y: { domain: [0, spec.rows], reverse: true, axis: null },
      ariaLabel: figure.getAttribute('data-label') + ': timeline',
      ariaDescription: figure.getAttribute('data-description') || '',
      marks: marks,
    });
  }

  function failurePlot(spec, end, width, figure) {
    var bins = spec.failures.map(function (b) {
      return { x1: b[0], x2: b[1], cause: causes[b[2]], n: b[3] };
    });
    var marks = [
      Plot.rectY(bins, {
        x1: 'x1',
        x2: 'x2',
        y: 'n',
        inset: 0,
        shapeRendering: 'crispEdges',
        fill: function (d) { return d.cause.color; },
        title: function (d) { return d.cause.label + ': ' + d.n + ' failed, ' + fmt(d.x1) + ' \u2013 ' + fmt(d.x2); },
      }),
      Plot.ruleY([0]),
      Plot.ruleX([spec.rolloutSeconds], { stroke: '#000000', strokeDasharray: '4,3' }),
    ];
    if (bins.length === 0) {
      marks.push(Plot.text(['no failed requests'], { frameAnchor: 'middle', fontSize: 12, text: function (d) { return d; } }));
    }
    return Plot.plot({
      width: width,
      height: 130,
      marginLeft: MARGIN_LEFT,
      marginRight: 12,
      marginTop: 12,
      marginBottom: 34,
      style: { fontSize: '11px', background: 'transparent' },
      x: { domain: [0, end], label: 'seconds since the rollout started \u2192', grid: true },
      y: { label: '\u2191 failed requests per ' + spec.binSeconds + ' s', grid: true, domain: bins.length === 0 ? [0, 1] : undefined, nice: true },
      ariaLabel: figure.getAttribute('data-label') + ': failed requests over time',
      ariaDescription: figure.getAttribute('data-failures') || '',
      marks: marks,
    });
  }

  function draw(figure) {
    if (figure.getAttribute('data-drawn')) return;
    figure.setAttribute('data-drawn', 'pending');
    var host = figure.querySelector('.chart-canvas');
    try {
      var spec = data.charts[figure.getAttribute('data-chart')];
      var end = data.domains[figure.getAttribute('data-domain')] || spec.end || 1;
      var width = Math.max(420, Math.min(host.clientWidth || 600, 1100));
      host.textContent = '';
      host.appendChild(timelinePlot(spec, end, width, figure));
      host.appendChild(failurePlot(spec, end, width, figure));
      figure.setAttribute('data-drawn', 'yes');
    } catch (error) {
      figure.setAttribute('data-drawn', 'failed');
      host.textContent = 'This chart could not be drawn (' + (error && error.message ? error.message : String(error)) + '); the table below has its data.';
      console.error('rollsafe report: chart ' + figure.getAttribute('data-chart') + ' failed', error);
    }
  }

  var figures = Array.prototype.slice.call(document.querySelectorAll('figure[data-chart]'));
  if (typeof Plot === 'undefined') {
    figures.forEach(function (figure) {
      figure.querySelector('.chart-canvas').textContent = 'The chart library did not load; the table below has the data.';
    });
    console.error('rollsafe report: the chart library did not load');
    return;
  }
  function drawAll() {
    figures.forEach(draw);
  }
  // Printed, the page shows every chart and every fix's diff; the diffs close again afterwards.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    drawAll();
    var closed = Array.prototype.slice.call(document.querySelectorAll('details.fix:not([open])'));
    closed.forEach(function (d) { d.open = true; });
    openedForPrint = openedForPrint.concat(closed);
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });
  if (typeof IntersectionObserver === 'undefined') {
    drawAll();
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        draw(entry.target);
      }
    });
  }, { rootMargin: '600px 0px' });
  figures.forEach(function (figure) { observer.observe(figure); });
})();
`;
