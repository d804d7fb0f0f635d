/**
 * The script of the "Measured in the lab" sections, inlined only when the page has one: draws each
 * side (measured, simulated) as requests per second, ok and failed by cause, stacked per bin, on
 * the time axis and rate scale the two sides share (laid out by lab.ts), with the lab's events as
 * ticks along the top. Like client.ts it reads data only through JSON.parse and writes text only
 * through Plot and textContent. Plain ES2017 in a string: it runs in the browser, not in Node.
 */
export const LAB_CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var dataElement = document.getElementById('rollsafe-lab-data');
  if (!dataElement) return;
  var data = JSON.parse(dataElement.textContent || '{}');
  var keys = data.keys;

  function fmt(x) {
    return Math.round(x * 10) / 10 + ' s';
  }

  function plot(spec, side, width, figure) {
    var bins = side.bins.map(function (b) {
      return { x1: b[0], x2: b[1], key: keys[b[2]], rate: b[3] };
    });
    var top = spec.rateMax * 1.12;
    var marks = [
      Plot.rectY(bins, {
        x1: 'x1',
        x2: 'x2',
        y: 'rate',
        inset: 0,
        shapeRendering: 'crispEdges',
        fill: function (d) { return d.key.color; },
        title: function (d) { return d.key.label + ': ' + d.rate + ' requests/s, ' + fmt(d.x1) + ' \u2013 ' + fmt(d.x2); },
      }),
      Plot.ruleY([0]),
      Plot.ruleY([spec.rps], { stroke: '#555555', strokeDasharray: '2,3' }),
      Plot.ruleX([side.rolloutSeconds], { stroke: '#000000', strokeDasharray: '4,3' }),
      Plot.text([side.rolloutSeconds], {
        x: function (d) { return d; },
        frameAnchor: 'top',
        dy: -9,
        dx: 3,
        textAnchor: 'start',
        text: function () { return side.completed ? 'rollout complete' : 'rollout incomplete'; },
      }),
      Plot.ruleX(side.events, {
        x: function (d) { return d[0]; },
        y1: spec.rateMax * 1.03,
        y2: top,
        stroke: '#333333',
        strokeWidth: 1,
        title: function (d) { return fmt(d[0]) + ': ' + d[1]; },
      }),
    ];
    return Plot.plot({
      width: width,
      height: 220,
      marginLeft: 56,
      marginRight: 12,
      marginTop: 20,
      marginBottom: 34,
      style: { fontSize: '11px', background: 'transparent' },
      x: { domain: [0, spec.end], label: 'seconds since the rollout started \u2192', grid: true },
      y: { domain: [0, top], label: '\u2191 requests/s (' + spec.binSeconds + ' s bins)', grid: true },
      ariaLabel: figure.getAttribute('data-label') || '',
      ariaDescription: figure.getAttribute('data-description') || '',
      marks: marks,
    });
  }

  var figures = Array.prototype.slice.call(document.querySelectorAll('figure[data-lab-chart]'));
  figures.forEach(function (figure) {
    var host = figure.querySelector('.chart-canvas');
    if (typeof Plot === 'undefined') {
      host.textContent = 'The chart library did not load; the tables below have the data.';
      return;
    }
    try {
      var spec = data.labs[figure.getAttribute('data-lab-chart')];
      var side = spec[figure.getAttribute('data-side')];
      var width = Math.max(420, Math.min(host.clientWidth || 600, 1100));
      host.textContent = '';
      host.appendChild(plot(spec, side, width, figure));
      figure.setAttribute('data-drawn', 'yes');
    } catch (error) {
      figure.setAttribute('data-drawn', 'failed');
      host.textContent = 'This chart could not be drawn (' + (error && error.message ? error.message : String(error)) + '); the tables below have its data.';
      console.error('rollsafe report: lab chart ' + figure.getAttribute('data-lab-chart') + ' failed', error);
    }
  });
})();
`;
