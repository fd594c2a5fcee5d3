/**
 * The user data an ECS container instance boots with: the script that writes the agent's
 * /etc/ecs/ecs.config (ECS_CLUSTER, and ECS_ENABLE_SPOT_INSTANCE_DRAINING when the stack's
 * cluster turns it on), as the ECS developer guide's launch template examples write it. It is what
 * DescribeInstanceAttribute userData returns (base64), so an operator reads the agent's settings
 * the same way on the sandbox as on AWS.
 */
import type { ClusterSpec } from "../../stack/ecs.js";

export function ecsUserData(cluster: Pick<ClusterSpec, "name" | "spotInstanceDraining">): string {
  const lines = ["#!/bin/bash", `echo ECS_CLUSTER=${cluster.name} >> /etc/ecs/ecs.config`];
  if (cluster.spotInstanceDraining) lines.push("echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config");
  return Buffer.from(`${lines.join("\n")}\n`).toString("base64");
}
