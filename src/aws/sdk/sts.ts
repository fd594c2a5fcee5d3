/** @aws-sdk/client-sts, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-sts";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-sts";
export const { STSClient, GetCallerIdentityCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-sts");
/** The client class is a type as well as a value. */
export type STSClient = Sdk.STSClient;
