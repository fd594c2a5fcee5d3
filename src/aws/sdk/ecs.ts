/** @aws-sdk/client-ecs, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-ecs";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-ecs";
export const { ECSClient, ListClustersCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, DescribeTasksCommand, ListTasksCommand, UpdateContainerInstancesStateCommand, DescribeServicesCommand, paginateListContainerInstances, UpdateServiceCommand, DescribeClustersCommand, DescribeTaskDefinitionCommand, paginateListClusters, paginateListServices } = lazySdk<typeof Sdk>("@aws-sdk/client-ecs");
/** The client class is a type as well as a value. */
export type ECSClient = Sdk.ECSClient;
