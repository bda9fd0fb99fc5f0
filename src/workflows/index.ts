export { platformCheck } from './platform-check';
export { creativeFlow } from './creative-flow';
export { stressRun } from './stress-run';
export { budgetOptimization } from './budget-optimization';
export { selfLearningCycle } from './self-learning-cycle';
