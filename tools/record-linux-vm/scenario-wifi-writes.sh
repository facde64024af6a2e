# Guest scenario (sourced by record.sh's init, which gives `rec`): what a Controller's writes of
# Device.WiFi. run on a Linux gateway's hostapd (2.10, nl80211, mac80211_hwsim), and what hostapd
# and iw say after each. Same two APs as scenario-wifi.sh (wlan0: 2.4 GHz WPA2-Personal, wlan1:
# 5 GHz WPA3-Personal), no stations. Reads first (so a replay can serve the whole tree), then the
# runtime writes (`hostapd_cli set` + `reload`), the values hostapd refuses, `iw` transmit power,
# a key sent on stdin instead of the command line, and a BSS added through the global interface.
modprobe mac80211_hwsim radios=2
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
. /wifi-aps.sh
cat > /tmp/bss-wlan0-1.conf <<'CONF'
interface=wlan0_1
driver=nl80211
ctrl_interface=/run/hostapd
hw_mode=g
channel=6
ssid=usp-lab-guest
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=guest passphrase
CONF
rec hostapd-start-wlan0 hostapd -B -g /run/hostapd-global -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
rec hostapd-start-wlan1 hostapd -B -P /run/hostapd-wlan1.pid /tmp/ap-wlan1.conf
sleep 5
H="hostapd_cli -p /run/hostapd"

# The reads of the whole tree.
whole_tree_reads

# AccessPoint: hidden SSID, isolation, station limit.
rec hapd-wlan0-set-hidden $H -i wlan0 set ignore_broadcast_ssid 1
rec hapd-wlan0-set-isolate $H -i wlan0 set ap_isolate 1
rec hapd-wlan0-set-max-sta $H -i wlan0 set max_num_sta 8
rec hapd-wlan0-reload-1 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-1 $H -i wlan0 status
rec hapd-wlan0-get-config-1 $H -i wlan0 get_config
rec hapd-wlan0-set-max-sta-bad $H -i wlan0 set max_num_sta 3000
# WMM off (hostapd drops HT without it), then on again with U-APSD.
rec hapd-wlan0-set-wmm-off $H -i wlan0 set wmm_enabled 0
rec hapd-wlan0-reload-2 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-2 $H -i wlan0 status
rec hapd-wlan0-set-wmm-on $H -i wlan0 set wmm_enabled 1
rec hapd-wlan0-set-uapsd $H -i wlan0 set uapsd_advertisement_enabled 1
rec hapd-wlan0-reload-3 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-3 $H -i wlan0 status
# Security: a passphrase too short, a new passphrase, a raw PSK, WPA3 (SAE), transition, open, back.
rec hapd-wlan0-set-passphrase-short $H -i wlan0 set wpa_passphrase short77
rec hapd-wlan0-set-passphrase $H -i wlan0 set wpa_passphrase "new passphrase 1"
rec hapd-wlan0-reload-4 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-4 $H -i wlan0 status
rec hapd-wlan0-set-psk $H -i wlan0 set wpa_psk 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
rec hapd-wlan0-reload-5 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-get-config-5 $H -i wlan0 get_config
rec hapd-wlan0-set-sae-mgmt $H -i wlan0 set wpa_key_mgmt SAE
rec hapd-wlan0-set-sae-mfp $H -i wlan0 set ieee80211w 2
rec hapd-wlan0-set-sae-password $H -i wlan0 set sae_password "sae passphrase 1"
rec hapd-wlan0-reload-6 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-6 $H -i wlan0 status
rec hapd-wlan0-get-config-6 $H -i wlan0 get_config
rec hapd-wlan0-set-transition-mgmt $H -i wlan0 set wpa_key_mgmt "WPA-PSK SAE"
rec hapd-wlan0-set-transition-mfp $H -i wlan0 set ieee80211w 1
rec hapd-wlan0-reload-7 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-get-config-7 $H -i wlan0 get_config
rec hapd-wlan0-set-open $H -i wlan0 set wpa 0
rec hapd-wlan0-reload-8 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-8 $H -i wlan0 status
rec hapd-wlan0-get-config-8 $H -i wlan0 get_config
rec hapd-wlan0-set-wpa2 $H -i wlan0 set wpa 2
rec hapd-wlan0-set-wpa2-mgmt $H -i wlan0 set wpa_key_mgmt WPA-PSK
rec hapd-wlan0-set-wpa2-mfp $H -i wlan0 set ieee80211w 0
# wpa 0 leaves no pairwise cipher: WPA2 needs it back.
rec hapd-wlan0-set-wpa2-pairwise $H -i wlan0 set rsn_pairwise CCMP
rec hapd-wlan0-reload-9 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-get-config-9 $H -i wlan0 get_config
rec hapd-wlan0-set-unknown-mgmt $H -i wlan0 set wpa_key_mgmt NO-SUCH
# Radio: 802.11h on the 5 GHz radio, transmit power fixed and automatic.
rec hapd-wlan1-set-11h $H -i wlan1 set ieee80211h 1
rec hapd-wlan1-reload-1 $H -i wlan1 reload
sleep 3
rec hapd-wlan1-status-1 $H -i wlan1 status
rec iw-wlan1-set-txpower iw dev wlan1 set txpower fixed 1700
rec iw-wlan1-info-txpower iw dev wlan1 info
rec iw-wlan1-set-txpower-auto iw dev wlan1 set txpower auto
rec iw-wlan1-info-txpower-auto iw dev wlan1 info
rec iw-no-such-dev-txpower iw dev wlan9 set txpower fixed 1700
# A key on hostapd_cli's stdin (its interactive mode), not on its command line.
rec hapd-wlan0-stdin-passphrase sh -c 'printf "set wpa_passphrase stdin passphrase\nreload\n" | timeout 10 hostapd_cli -p /run/hostapd -i wlan0'
sleep 3
rec hapd-wlan0-status-stdin $H -i wlan0 status
# A second BSS on phy0 through hostapd's global control interface, then removed.
rec hapd-global-add wpa_cli -g /run/hostapd-global raw ADD bss_config=phy0:/tmp/bss-wlan0-1.conf
sleep 4
rec hapd-interfaces-added $H interface
rec hapd-wlan0-1-status $H -i wlan0_1 status
rec hapd-wlan0-1-get-config $H -i wlan0_1 get_config
rec iw-dev-added iw dev
rec iw-wlan0-1-info iw dev wlan0_1 info
rec hapd-global-remove wpa_cli -g /run/hostapd-global raw REMOVE wlan0_1
sleep 2
rec hapd-interfaces-removed $H interface
rec iw-dev-removed iw dev
# Radio: the whole hostapd interface off and on, and its standards (802.11n off and on, 802.11ax on 5 GHz).
rec hapd-wlan1-disable $H -i wlan1 disable
rec hapd-wlan1-status-disabled $H -i wlan1 status
rec hapd-wlan1-enable $H -i wlan1 enable
sleep 3
rec hapd-wlan1-status-enabled $H -i wlan1 status
rec iw-wlan1-info-enabled iw dev wlan1 info
rec hapd-wlan0-set-11n-off $H -i wlan0 set ieee80211n 0
rec hapd-wlan0-reload-11n-off $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-11n-off $H -i wlan0 status
rec hapd-wlan0-set-11n-on $H -i wlan0 set ieee80211n 1
rec hapd-wlan0-reload-11n-on $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-11n-on $H -i wlan0 status
rec hapd-wlan1-set-11ax-on $H -i wlan1 set ieee80211ax 1
rec hapd-wlan1-reload-11ax-on $H -i wlan1 reload
sleep 3
rec hapd-wlan1-status-11ax-on $H -i wlan1 status
