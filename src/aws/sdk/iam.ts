/** @aws-sdk/client-iam, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-iam";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-iam";
export const { IAMClient, SimulatePrincipalPolicyCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-iam");
/** The client class is a type as well as a value. */
export type IAMClient = Sdk.IAMClient;
