/**
 * The report's colours: the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008),
 * distinguishable with every common form of colour blindness, plus neutral greys. Colour is never
 * the only carrier: every bar has a tooltip and every chart a table.
 */
import { CAUSES, type Cause, type PodPhase, type ViewState } from '../../sim/types.js';

const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** One thing a bar in the timeline can show, with its colour and legend text. */
export interface ChartKey {
  readonly id: string;
  readonly label: string;
  readonly color: string;
}

export const PHASE_KEYS: readonly (ChartKey & { readonly id: PodPhase })[] = [
  { id: 'pending', label: 'pending (scheduling, image pull)', color: '#BBBBBB' },
  { id: 'starting', label: 'starting (not ready yet)', color: OKABE_ITO.yellow },
  { id: 'ready', label: 'ready', color: OKABE_ITO.bluishGreen },
  { id: 'not-ready', label: 'running, not ready', color: OKABE_ITO.orange },
  { id: 'prestop', label: 'terminating: preStop', color: OKABE_ITO.skyBlue },
  { id: 'draining', label: 'terminating: SIGTERM, draining', color: OKABE_ITO.blue },
  { id: 'killed', label: 'SIGKILL', color: OKABE_ITO.vermillion },
  { id: 'gone', label: 'exited', color: '#E8E8E8' },
];

export const VIEW_KEYS: readonly (ChartKey & { readonly id: ViewState })[] = [
  { id: 'ready', label: 'routed to (new traffic)', color: OKABE_ITO.bluishGreen },
  { id: 'serving-terminating', label: 'routed to as a terminating fallback', color: OKABE_ITO.reddishPurple },
];

export const LISTENING_KEY: ChartKey = { id: 'listening', label: 'app accepts connections', color: OKABE_ITO.black };

/** Every key of the timeline chart, in the order of the numbers the chart data uses for them. */
export const TIMELINE_KEYS: readonly ChartKey[] = [...PHASE_KEYS, ...VIEW_KEYS.map((k) => ({ ...k, id: `view-${k.id}` })), LISTENING_KEY];

const CAUSE_COLORS: Readonly<Record<Cause, string>> = {
  'refused-before-ready': OKABE_ITO.orange,
  'refused-after-stop': OKABE_ITO.vermillion,
  'no-local-endpoint': OKABE_ITO.reddishPurple,
  'no-endpoint': OKABE_ITO.black,
  'cut-by-lb': OKABE_ITO.blue,
  'killed-in-flight': OKABE_ITO.skyBlue,
  'keep-alive-race': OKABE_ITO.bluishGreen,
};

const CAUSE_LABELS: Readonly<Record<Cause, string>> = {
  'refused-before-ready': 'refused before ready (new pod)',
  'refused-after-stop': 'refused after stop (old pod)',
  'no-local-endpoint': 'no local endpoint (node)',
  'no-endpoint': 'no endpoint at all',
  'cut-by-lb': 'cut by the load balancer',
  'killed-in-flight': 'killed in flight',
  'keep-alive-race': 'keep-alive race',
};

/** The failure causes, in the order of the numbers the chart data uses for them. */
export const CAUSE_KEYS: readonly (ChartKey & { readonly id: Cause })[] = CAUSES.map((id) => ({ id, label: CAUSE_LABELS[id], color: CAUSE_COLORS[id] }));
