/** An activity could not do its job (as opposed to a probe value missing its tolerance). */
export class ActivityFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ActivityFailure";
  }
}
