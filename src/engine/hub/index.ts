/** The Hugging Face Hub side of SpanTune: download into the shared cache, push, the model catalogue. */
export { downloadModel, type DownloadModelOptions, type DownloadedFile, type DownloadedModel } from './download-model';
export { pushModel, listModelFolder, type PushModelOptions, type PushProgress, type PushResult } from './push-model';
export { MODEL_CATALOGUE, describeCatalogueEntry, type CatalogueEntry, type PublishedScores, type CpuTraining } from './catalogue';
export { HubError, type HubErrorKind, redactToken } from './errors';
export { formatBytes, formatDuration, type DownloadProgress } from './progress';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http-client';
export { pytorchConversionHint, type WeightsFormat } from './file-selection';
export { hubCacheDir, hubEndpoint, isOffline, proxyFromEnvironment, tokenFromEnvironment, DEFAULT_HUB_ENDPOINT } from './settings';
