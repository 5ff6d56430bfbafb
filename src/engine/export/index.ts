/** Taking a model out of SpanTune: the model card, and a training recipe for GPU machines. */
export { renderModelCard, writeModelCard, type CardScores, type ModelCardInput } from './model-card';
export { exportTrainingRecipe, hubIdFromCachePath, toRunQaJson, toSquadDataset, type RecipeOptions, type RecipeResult, type RecipeSettings } from './recipe';
