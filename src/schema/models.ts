/**
 * The kubernetes-models classes whose compiled OpenAPI validators rollsafe uses. The build
 * bundles this module into one file (`npm run build`): the validators span ~300 modules, and
 * loading them one by one would cost more start-up time than the checks they run. The bundle is
 * compiled with a V8 code cache and gives each validator a fast path (scripts/build.js).
 */
export { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
export { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
export { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
export { Deployment } from 'kubernetes-models/apps/v1/Deployment';
export { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
export { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
export { HorizontalPodAutoscaler as HpaV1 } from 'kubernetes-models/autoscaling/v1/HorizontalPodAutoscaler';
export { HorizontalPodAutoscaler as HpaV2 } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
export { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
export { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
export { Namespace } from 'kubernetes-models/v1/Namespace';
export { Pod } from 'kubernetes-models/v1/Pod';
export { Service } from 'kubernetes-models/v1/Service';
