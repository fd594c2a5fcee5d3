/** @aws-sdk/client-eventbridge, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-eventbridge";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-eventbridge";
export const { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, TestEventPatternCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-eventbridge");
/** The client class is a type as well as a value. */
export type EventBridgeClient = Sdk.EventBridgeClient;
