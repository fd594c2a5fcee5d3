/**
 * Whether the target's FIS offers an action, asked of FIS itself (GetAction answers, or
 * ResourceNotFoundException): a fault that needs a sandbox-only action (gameday:*) learns that a
 * real account lacks it from the account, never from the kind of target.
 */
import { GetActionCommand } from "../aws/sdk/fis.js";
import type { Permission } from "../iam/permission.js";
import type { RunServicesAws } from "./types.js";

export async function fisOffers(aws: RunServicesAws, actionId: string, signal?: AbortSignal): Promise<boolean> {
  const fis = await aws.fis();
  return fis.send(new GetActionCommand({ id: actionId }), { abortSignal: signal as never }).then(
    () => true,
    (err: { name?: string }) => {
      if (err.name === "ResourceNotFoundException") return false;
      throw err;
    },
  );
}

/** What the runner needs to ask it (GetAction). */
export function fisGetActionPermission(region: string, accountId: string): Permission {
  return { why: "ask FIS which actions it offers", actions: ["fis:GetAction"], resources: [`arn:aws:fis:${region}:${accountId}:action/*`] };
}
