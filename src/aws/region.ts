/**
 * What an AWS region name looks like, for every place gameday takes one as text (a stack file's
 * `region`, `--region` of the commands that write it into ARNs). AWS names its regions
 * <area>-<direction>-<number>, with a partition or country part between the first two in some
 * partitions: us-east-1, ap-southeast-7, mx-central-1, us-gov-west-1, us-isob-east-1,
 * eu-isoe-west-1, eusc-de-east-1. The direction is one of nine words, so a typo such as
 * us-eest-1 is refused while a region launched after this release is still accepted (a list of
 * today's regions would refuse it). Written here rather than taken from the SDK: the SDK's
 * partition data (@aws-sdk/util-endpoints, a transitive dependency) checks only the area and
 * lets any word through as the direction.
 */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]{2,4})?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

/** What a region is expected to be, as error messages say it. */
export const REGION_EXPECTED = 'a region such as "us-east-1"';

export function isRegion(text: string): boolean {
  return REGION_PATTERN.test(text);
}
