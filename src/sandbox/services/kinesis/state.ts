/** What the API handlers share: the kernel, the streams, the active faults and account-wide rates. */
import type { Kernel } from "../../kernel.js";
import type { KinesisMetricsPublisher } from "../../metrics/kinesis.js";
import type { StreamCatalog } from "./catalog.js";
import type { FaultBoard, PutRecordsFaultForm } from "./faults.js";
import type { OnDemandScaler } from "./on-demand.js";
import type { PerSecondBudget } from "./per-second-budget.js";
import type { Stream } from "./stream.js";

export interface KinesisState {
  kernel: Kernel;
  catalog: StreamCatalog;
  faults: FaultBoard;
  /** The scaler of an ON_DEMAND stream. */
  scalerOf(stream: Stream): OnDemandScaler | undefined;
  /** Creates a stream's scaler when it is (or becomes) ON_DEMAND. */
  trackOnDemand(stream: Stream): void;
  /** Account-wide control-plane rates: DescribeStream and UpdateShardCount take 10 calls/s each. */
  rates: { describeStream: PerSecondBudget; updateShardCount: PerSecondBudget };
  putRecordsFaultForm: PutRecordsFaultForm;
  /** Where the calls' AWS/Kinesis metrics go; none: not published. */
  metrics: KinesisMetricsPublisher | undefined;
}
