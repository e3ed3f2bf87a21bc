export { CompactRange, type TreeNode } from './compact-range.js';
export {
  bytesEqual,
  EMPTY_TREE_ROOT,
  HASH_SIZE,
  type HashString,
  hashChildren,
  hashChildrenString,
  hashLeaf,
  hashLeafString,
  isHash,
  LEAF_HASH_PREFIX,
  NODE_HASH_PREFIX,
} from './hash.js';
export {
  decomposeRange,
  frontierLength,
  MAX_NODE_LEVEL,
  MAX_TREE_SIZE,
  NODE_ID_LEVEL_STRIDE,
  type NodeRef,
  nodeId,
  nodeRefFromId,
} from './node.js';
export {
  consistencyProofPlan,
  hashPlan,
  hashRefs,
  inclusionProofPlan,
  type NodeLookup,
  type ProofPlan,
  refsOfPlan,
  rootPlan,
} from './plan.js';
export {
  type ConsistencyCheck,
  type InclusionCheck,
  type InclusionProofInput,
  MAX_PROOF_LENGTH,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './verify.js';
