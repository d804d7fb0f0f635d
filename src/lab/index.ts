/**
 * The lab's real parts: network namespaces as nodes, pods as processes, kube-proxy's iptables NAT
 * layout. Linux and root only; `labPrerequisites` says what is missing.
 */
export { LAB_TOOLS, labPrerequisites, onPath, run } from './host.js';
export { chainHash, endpointChain, probability, renderNat, serviceChains, type LabEndpoint, type LabServicePort } from './kube-proxy.js';
export { cleanupLeftovers, destroyOnExit, Lab, LAB_PREFIX, labNamespaces, type LabNode, type LabPod } from './topology.js';
export { haproxyConfig, HEALTH_SERVER_SCRIPT, runtimeCommand, serverStates, type LbBackend, type LbSettings } from './load-balancer.js';
