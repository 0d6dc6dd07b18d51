export { FakeKubernetes, startFakeKubernetes, type FakeKubernetesOptions, type GrantedRule, type PodLogLine, type RecordedRequest, type Refusal, type StoredObject } from './server.js';
export { testCertificate, testDeployment, testEvent, testHpa, testNode, testPod, testStatefulSet, type TestContainer } from './objects.js';
export { makeClusterCertificates, type ClusterCertificates } from './certificates.js';
