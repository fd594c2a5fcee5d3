export { LambdaService, MB_PER_VCPU, type InvokeResult, type SandboxFunction } from "./service.js";
export { lambdaApi } from "./api.js";
export { fileOpsWorkload, type LambdaContext, type LambdaWorkload } from "./workload.js";
export { LAMBDA_NAMESPACE } from "./metrics.js";
export { registerLambdaFis } from "./fis.js";
export { wordpressWorkload } from "./wordpress.js";
export { httpApiEvent, parseHttpApiEvent, httpResponse, type HttpApiRequest, type HttpApiResponse } from "./wordpress-http.js";
