"""Every kind of notification, declared once as data.

A kind names its templates (``notifications/kinds/<code>.subject.txt``, ``.txt``
and ``.html``), its label in both languages for the settings page, whether it
goes by e-mail unless the person says otherwise, and who receives it (for the
settings page and the documentation; the sending service picks the people).
"""

from __future__ import annotations

from dataclasses import dataclass

from openrd.core.i18n import current_lang


@dataclass(frozen=True)
class Kind:
    code: str
    label_ja: str
    label_en: str
    email_default: bool
    audience_ja: str
    audience_en: str

    @property
    def label(self) -> str:
        return self.label_en if current_lang().startswith("en") else self.label_ja

    @property
    def audience(self) -> str:
        return self.audience_en if current_lang().startswith("en") else self.audience_ja

    def template(self, part: str) -> str:
        """``part`` is "subject.txt", "txt" or "html"."""
        return f"notifications/kinds/{self.code}.{part}"


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "proposal.submitted",
            "提案書の受付",
            "Proposal received",
            True,
            "申請者",
            "The applicant",
        ),
        Kind(
            "proposal.endorsement_requested",
            "所属機関の承認依頼",
            "Request to endorse a proposal",
            True,
            "所属機関の事務担当者",
            "The institution's officers",
        ),
        Kind(
            "proposal.endorsed",
            "所属機関による承認",
            "Proposal endorsed",
            True,
            "申請者",
            "The applicant",
        ),
        Kind(
            "proposal.returned",
            "所属機関からの差戻し",
            "Proposal returned",
            True,
            "申請者",
            "The applicant",
        ),
        Kind(
            "call.opened",
            "フォロー中のプログラムの公募開始",
            "A call opened in a program you follow",
            True,
            "プログラムのフォロワー",
            "People who follow the program",
        ),
        Kind(
            "proposal.deadline_reminder",
            "未提出の提案書の締切リマインダー",
            "Deadline reminder for an unsubmitted proposal",
            True,
            "下書きの申請者",
            "The applicant of a draft",
        ),
        Kind(
            "integrity.pledge_due",
            "研究インテグリティ誓約の更新",
            "Renew your research integrity pledge",
            True,
            "1年以上前に誓約した人",
            "People whose pledge is over a year old",
        ),
        Kind(
            "proposal.invitation_received",
            "共同研究者としての招待",
            "Invitation to join a proposal",
            True,
            "招待された登録済みの研究者",
            "The registered researcher who is invited",
        ),
        Kind(
            "proposal.invitation_answered",
            "共同研究者の招待への回答",
            "Answer to a co-investigator invitation",
            True,
            "申請者",
            "The applicant",
        ),
        Kind(
            "review.invitation",
            "審査の依頼",
            "Request to review proposals",
            True,
            "審査委員",
            "Reviewers",
        ),
        Kind(
            "review.reminder",
            "未完了の審査のリマインダー",
            "Reminder of reviews still to do",
            True,
            "未回答・未提出の審査がある審査委員",
            "Reviewers with requests unanswered or reviews not submitted",
        ),
        Kind(
            "review.declined",
            "審査の辞退・利益相反の申告",
            "A reviewer declined or declared a conflict",
            True,
            "公募を担当する配分機関の職員",
            "The staff of the agency running the call",
        ),
        Kind(
            "integrity.flag",
            "重複・過度の集中のスクリーニング結果",
            "Screening found something to check",
            True,
            "配分機関の職員・研究インテグリティ担当者",
            "The agency's staff and research integrity officers",
        ),
        Kind(
            "review.decision",
            "採否の通知",
            "Selection decision",
            True,
            "申請者",
            "The applicant",
        ),
        Kind(
            "award.report_due",
            "年次報告書・終了報告書の提出期限のお知らせ",
            "Reminder: a report on your award is due",
            True,
            "研究代表者",
            "The principal investigator",
        ),
        Kind(
            "award.report_returned",
            "報告書の差戻し",
            "Report returned",
            True,
            "研究代表者",
            "The principal investigator",
        ),
        Kind(
            "repository.deposit_submitted",
            "研究成果の登録申請（査読依頼）",
            "A deposit awaits curation",
            True,
            "機関リポジトリの担当者",
            "The institution's repository curators",
        ),
        Kind(
            "repository.deposit_returned",
            "研究成果の登録の差戻し",
            "Deposit returned",
            True,
            "登録者",
            "The depositor",
        ),
        Kind(
            "repository.published",
            "研究成果の公開",
            "Output published",
            True,
            "登録者",
            "The depositor",
        ),
        Kind(
            "repository.access_requested",
            "制限付きファイルの利用申請",
            "Request for a restricted file",
            True,
            "機関リポジトリの担当者",
            "The institution's repository curators",
        ),
        Kind(
            "repository.access_decided",
            "利用申請への回答",
            "Answer to your access request",
            True,
            "利用申請者",
            "The person who asked",
        ),
    )
}

# Kinds sent to an e-mail address that need not belong to an account (so they are
# no one's choice on the settings page): ``services.send_to_address``.
ADDRESS_KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "proposal.invitation",
            "共同研究者としての招待（メール）",
            "Invitation to join a proposal (e-mail)",
            True,
            "招待のメールアドレス",
            "The address the invitation names",
        ),
    )
}


def get_kind(code: str) -> Kind:
    try:
        return KINDS.get(code) or ADDRESS_KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None
