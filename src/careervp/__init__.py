"""CareerVP data-access layer: the tailored-CV store on DynamoDB."""

__all__: list[str] = []
