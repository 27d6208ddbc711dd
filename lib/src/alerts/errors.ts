export class AlertNotFoundError extends Error {
  constructor(readonly alertId: string) {
    super(`no alert with id '${alertId}'`);
    this.name = 'AlertNotFoundError';
  }
}

/** A change the alert's current state does not allow, e.g. acknowledging a closed alert. */
export class AlertStateError extends Error {
  constructor(
    readonly alertId: string,
    message: string,
  ) {
    super(`alert '${alertId}': ${message}`);
    this.name = 'AlertStateError';
  }
}
