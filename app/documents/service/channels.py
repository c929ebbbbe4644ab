"""Choosing the invisible watermark channels a case's downloads carry (the visible footer
is always on). A room admin may switch channels off, e.g. when a client objects to altered
glyphs; each download records the channels it carried, so a trace knows what to look for.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.service import record
from app.context import CaseContext
from app.documents import repository as repo
from app.documents.reads import (
    get_channels,
)
from app.documents.schemas import ChannelsRead, ChannelsUpdate
from app.errors import Invalid
from app.models.documents import (
    CaseWatermarkSetting,
)
from app.runtime import Services
from app.watermark import CHANNELS


def set_channels(session: Session, ctx: CaseContext, svc: Services, *,
                 data: ChannelsUpdate) -> ChannelsRead:
    wanted = set(data.channels)
    if not wanted <= CHANNELS or len(wanted) != len(data.channels):
        raise Invalid("channels lists unknown or repeated channels.", code="invalid_channels")
    row = repo.channel_setting(session, ctx.case_id)
    if row is None:
        row = CaseWatermarkSetting(case_id=ctx.case_id, channels=[], updated_by=ctx.user_id,
                                   updated_at=svc.now())
        session.add(row)
    row.channels, row.updated_by, row.updated_at = sorted(wanted), ctx.user_id, svc.now()
    session.flush()
    record(session, ctx, "watermark.channels.update", "case", ctx.case_id,
           {"layers": sorted(wanted)})
    return get_channels(session, ctx)
