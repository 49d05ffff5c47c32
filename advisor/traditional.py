"""Traditional Chinese characters folded to simplified ones, for matching rules written in simplified.

Members in Hong Kong and Taiwan write 應該買騰訊嗎; the rules are written as 应该买腾讯吗. This is a table of
common characters (finance words and everyday question words), not a full converter: characters outside it
stay as they are. It belongs in ``advisor.text.normalise`` eventually; it lives here so intent routing can use
it without editing the shared normaliser in parallel with others.
"""

from __future__ import annotations

# Pairs written "traditional simplified", one pair per word; the characters are data.
PAIRS = """
應应 該该 買买 賣卖 騰腾 訊讯 幣币 漲涨 會会 嗎吗 價价 錢钱 財财 債债 資资 銀银 險险 這这 個个 們们 麼么 為为 時时
點点 開开 關关 產产 業业 國国 際际 長长 東东 車车 線线 號号 現现 還还 進进 過过 選选 經经 濟济 幾几 與与 對对 將将
來来 說说 讓让 請请 問问 題题 萬万 億亿 計计 劃划 調调 盤盘 穩稳 虧亏 賺赚 貸贷 儲储 權权 證证 匯汇 額额 覺觉 達达
納纳 標标 準准 滬沪 創创 觀观 聯联 係系 實实 認认 識识 體体 務务 紅红 積积 轉转 換换 變变 動动 隨随 頭头 檔档 讀读
寫写 學学 習习 氣气 歡欢 樂乐 機机 電电 腦脑 網网 絡络 飛飞 鐘钟 鑽钻 礦矿 鏈链 區区 塊块 醫医 藥药 療疗 費费 節节
約约 報报 導导 圖图 據据 數数 顯显 話话 語语 門门 間间 員员 場场 廣广 狀状 況况 態态 專专 屬属 師师 顧顾 給给 夠够
沒没 從从 後后 裡里 裏里 邊边 盡尽 總总 兩两 條条 樣样 種种 類类 壓压 戰战 爭争 黃黄 鐵铁 鋼钢 糧粮 農农 貨货 寶宝
負负 擔担 償偿 損损 虛虚 擬拟 貿贸 稅税 盪荡 蕩荡 週周 預预 測测 趨趋 勢势 頂顶 輪轮 驗验 龍龙 廠厂 鋰锂 團团 藝艺
術术 遊游 戲戏 該该 歷历 紀纪 續续 繼继 斷断 殺杀 舊旧 檢检 査查 較较 漸渐 單单 雙双 買买 賬账 帳账 戶户 倉仓 幫帮
問问 麥麦 蘋苹 彈弹 恆恒 設设 規规 則则 級级 險险 鑰钥 導导 範范 擇择 齡龄 養养 儉俭 錄录 絕绝 極极 簡简 參参 與与
""".split()
TO_SIMPLIFIED = str.maketrans({pair[0]: pair[1] for pair in PAIRS})


def to_simplified(text: str) -> str:
    """``text`` with the listed traditional characters replaced by their simplified forms."""
    return text.translate(TO_SIMPLIFIED) if not text.isascii() else text
