"""Django's JSON serialisation, keeping the microseconds of times.

DjangoJSONEncoder cuts datetimes and times to milliseconds (ECMA-262 style), so a row dumped
and loaded again comes back with a different `updated_at`, and a backup would not restore the
site exactly. Registered as the "json" format (SERIALIZATION_MODULES), so `dumpdata`,
`loaddata` and `manage.py backup` all use it; reading is Django's own.
"""

import datetime

from django.core.serializers.json import (
    Deserializer,  # noqa: F401 - the format's reader
    DjangoJSONEncoder,
)
from django.core.serializers.json import Serializer as DjangoJSONSerializer


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(DjangoJSONSerializer):
    def serialize(self, queryset, **options):
        options.setdefault("cls", ExactJSONEncoder)  # json.dumps's own option, passed through
        return super().serialize(queryset, **options)
