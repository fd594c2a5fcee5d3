/** @aws-sdk/client-sns, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-sns";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-sns";
export const { SNSClient, ListTopicsCommand, PublishCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-sns");
/** The client class is a type as well as a value. */
export type SNSClient = Sdk.SNSClient;
