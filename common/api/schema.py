"""drf-spectacular hooks shared by every surface."""


def allow_empty_query_values(result, generator, request, public):
    """An optional query parameter sent empty (`team_id__in=`) means "not given", as django-filter
    treats it; say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
