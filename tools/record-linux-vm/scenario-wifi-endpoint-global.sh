# Guest scenario (sourced by record.sh's init, which gives `rec` and `recin`): the rest of
# Device.WiFi.EndPoint. on a Linux gateway: EndPoint Add/Delete through wpa_supplicant's global
# control interface (interface_add/interface_remove of a free station netdev, from a file the agent
# keeps), EndPoint.Enable (disconnect/reconnect), a WEP Profile, the station's WPS methods
# (config_methods), and a wpa_supplicant restart (what it keeps and what the agent must send again).
# wlan0 (phy0): WPA2-Personal AP `usp-lab` with WPS (push button); wlan1 (phy1): WEP-128 AP
# `usp-lab-wep`; wlan2 (phy2): the station wpa_supplicant starts with; wlan3 (phy3): a station
# netdev nobody runs, for the Add. The agent's reads and writes come in the order it sends them
# for a Controller's Get, Sets, Add and Delete (the stand-in replays them in that order); the
# WPS push button run (which the agent never starts) is last.
modprobe mac80211_hwsim radios=4
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
. /wifi-aps.sh
cat >> /tmp/ap-wlan0.conf <<'CONF'
eap_server=1
wps_state=2
config_methods=push_button keypad
CONF
cat > /tmp/ap-wlan1.conf <<'CONF'
interface=wlan1
driver=nl80211
ctrl_interface=/run/hostapd
country_code=DE
hw_mode=g
channel=1
ssid=usp-lab-wep
wpa=0
auth_algs=1
wep_default_key=0
wep_key0=0123456789abcdef0123456789
CONF
rec hostapd-start-wlan0 hostapd -B -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
rec hostapd-start-wlan1 hostapd -B -P /run/hostapd-wlan1.pid /tmp/ap-wlan1.conf
sleep 5
mkdir -p /run/wpa_supplicant /var/lib/usp-agent/wpa_supplicant
cat > /tmp/wpa-wlan2.conf <<'CONF'
ctrl_interface=/run/wpa_supplicant
update_config=1
network={
	ssid="usp-lab"
	key_mgmt=WPA-PSK
	psk="correct horse battery"
	priority=1
}
CONF
# The file the agent writes for an interface it adds (wifi-endpoint-added.ts).
cat > /var/lib/usp-agent/wpa_supplicant/wlan3.conf <<'CONF'
# Device.WiFi.EndPoint on wlan3, added by usp-agent: wpa_supplicant keeps its networks here (update_config=1).
ctrl_interface=/run/wpa_supplicant
update_config=1
CONF
WPAS="wpa_supplicant -B -g /run/wpa_supplicant-global -P /run/wpa_supplicant.pid -D nl80211 -i wlan2 -c /tmp/wpa-wlan2.conf"
rec wpas-start $WPAS
W="wpa_cli -p /run/wpa_supplicant"
G="wpa_cli -g /run/wpa_supplicant-global"
C=/var/lib/usp-agent/wpa_supplicant/wlan3.conf
# joined IF: waits (unrecorded, at most 60 s) until station IF has joined a network.
joined() {
  for _ in $(seq 60); do $W -i "$1" status | grep -q wpa_state=COMPLETED && return; sleep 1; done
}
# reads SUFFIX: every read of the agent's Get of Device.WiFi.EndPoint., for the stations and networks there are now.
reads() {
  rec wpa-interface-$1 $W interface
  rec wpa-global-interface-list-$1 $G interface_list
  rec iw-dev-$1 iw dev
  for i in $($W interface | grep -E '^wlan[0-9]+$'); do
    rec wpa-$i-status-$1 $W -i "$i" status
    rec wpa-$i-signal-poll-$1 $W -i "$i" signal_poll
    rec wpa-$i-list-networks-$1 $W -i "$i" list_networks
    rec wpa-$i-get-config-methods-$1 $W -i "$i" get config_methods
    rec wpa-$i-capability-group-$1 $W -i "$i" get_capability group
    for id in $($W -i "$i" list_networks | awk 'NR > 1 { print $1 }'); do
      rec wpa-$i-get-network-$id-key-mgmt-$1 $W -i "$i" get_network "$id" key_mgmt
      rec wpa-$i-get-network-$id-priority-$1 $W -i "$i" get_network "$id" priority
      rec wpa-$i-get-network-$id-wep-key0-$1 $W -i "$i" get_network "$id" wep_key0
    done
    rec iw-$i-link-$1 iw dev "$i" link
  done
}
joined wlan2
reads 1
rec wpa-wlan2-get-update-config $W -i wlan2 get update_config
rec wpa-wlan2-capability-group $W -i wlan2 get_capability group
rec wpa-wlan2-capability-pairwise $W -i wlan2 get_capability pairwise
rec wpa-wlan2-capability-key-mgmt $W -i wlan2 get_capability key_mgmt
rec wpa-wlan2-get-config-methods-unset $W -i wlan2 get config_methods

# EndPoint.Enable false, then true.
rec wpa-wlan2-disconnect $W -i wlan2 disconnect
sleep 2
reads 2
rec wpa-wlan2-reconnect $W -i wlan2 reconnect
sleep 2
joined wlan2
reads 3

# WPS: ConfigMethodsEnabled as config_methods (one argument: wpa_cli joins its words with spaces);
# values tried for "off"; then saved.
rec wpa-wlan2-set-config-methods $W -i wlan2 set config_methods "push_button keypad display"
rec wpa-wlan2-get-config-methods-set $W -i wlan2 get config_methods
rec wpa-wlan2-set-config-methods-pbc $W -i wlan2 set config_methods push_button
rec wpa-wlan2-get-config-methods-pbc $W -i wlan2 get config_methods
rec wpa-wlan2-set-config-methods-empty $W -i wlan2 set config_methods ""
rec wpa-wlan2-get-config-methods-empty $W -i wlan2 get config_methods
rec wpa-wlan2-set-config-methods-none $W -i wlan2 set config_methods none
rec wpa-wlan2-get-config-methods-none $W -i wlan2 get config_methods
rec wpa-wlan2-set-config-methods-again $W -i wlan2 set config_methods "push_button keypad"
rec wpa-wlan2-get-config-methods-again $W -i wlan2 get config_methods
rec wpa-wlan2-save-config-wps $W -i wlan2 save_config
rec wpa-wlan2-config-saved-wps cat /tmp/wpa-wlan2.conf

# EndPoint Add: the free station netdev (iw dev: type managed, not in interface_list), from the agent's file.
rec wpa-global-interface-add-missing $G interface_add wlan9 $C nl80211 /run/wpa_supplicant
rec wpa-global-interface-add-taken $G interface_add wlan2 /tmp/wpa-wlan2.conf nl80211 /run/wpa_supplicant
rec wpa-global-interface-add $G interface_add wlan3 $C nl80211 /run/wpa_supplicant
sleep 2
reads 4
rec wpa-wlan3-get-update-config $W -i wlan3 get update_config
# A WEP-128 Profile on it: Add (SSID), Security (ModeEnabled WEP-128 then the key on stdin), Enable.
rec wpa-wlan3-add-network $W -i wlan3 add_network
rec wpa-wlan3-set-0-ssid $W -i wlan3 set_network 0 ssid '"usp-lab-wep"'
rec wpa-wlan3-save-config-1 $W -i wlan3 save_config
reads 4a
rec wpa-wlan3-set-0-key-mgmt $W -i wlan3 set_network 0 key_mgmt NONE
rec wpa-wlan3-set-0-wep-tx-keyidx $W -i wlan3 set_network 0 wep_tx_keyidx 0
recin wpa-wlan3-stdin-0-wep-key0-bad 'set_network 0 wep_key0 01234
' wpa_cli -p /run/wpa_supplicant -i wlan3
recin wpa-wlan3-stdin-0-wep-key0 'set_network 0 wep_key0 0123456789abcdef0123456789
' wpa_cli -p /run/wpa_supplicant -i wlan3
rec wpa-wlan3-save-config-2 $W -i wlan3 save_config
reads 4b
rec wpa-wlan3-enable-0 $W -i wlan3 enable_network 0
rec wpa-wlan3-save-config-3 $W -i wlan3 save_config
sleep 2
joined wlan3
reads 5
rec wpa-wlan3-config-saved cat $C

# EndPoint.Enable false on wlan2 (held by the agent), then wpa_supplicant restarted: it starts
# wlan2 connected again and without wlan3; the agent adds wlan3 again and sends disconnect again.
rec wpa-wlan2-disconnect-held $W -i wlan2 disconnect
sleep 2
reads 6
rec wpas-stop kill "$(cat /run/wpa_supplicant.pid)"
sleep 2
rec wpa-interface-stopped $W interface
rec wpa-global-interface-list-stopped $G interface_list
rec wpas-start-again $WPAS
joined wlan2
reads 7
rec wpa-global-interface-add-again $G interface_add wlan3 $C nl80211 /run/wpa_supplicant
rec wpa-wlan2-disconnect-again $W -i wlan2 disconnect
sleep 2
joined wlan3
reads 8
rec wpa-wlan2-reconnect-again $W -i wlan2 reconnect
sleep 2
joined wlan2
reads 9

# EndPoint Delete of the added station; of one that is not there.
rec wpa-global-interface-remove $G interface_remove wlan3
rec wpa-global-interface-remove-missing $G interface_remove wlan9
sleep 1
reads 10

# WEP-64 key and clearing the key (ModeEnabled None) on a network of wlan2, then gone again.
rec wpa-wlan2-add-network-wep64 $W -i wlan2 add_network
recin wpa-wlan2-stdin-1-wep-key0-64 'set_network 1 wep_key0 0123456789
' wpa_cli -p /run/wpa_supplicant -i wlan2
rec wpa-wlan2-get-network-1-wep-key0-64 $W -i wlan2 get_network 1 wep_key0
rec wpa-wlan2-set-1-wep-key0-clear $W -i wlan2 set_network 1 wep_key0 '""'
rec wpa-wlan2-get-network-1-wep-key0-cleared $W -i wlan2 get_network 1 wep_key0
rec wpa-wlan2-remove-network-wep64 $W -i wlan2 remove_network 1

# Proof that the station's WPS runs against hostapd's registrar (the agent never starts it): the
# push button on both sides, with config_methods "push_button keypad"; then with config_methods
# empty the station still runs it (wpa_supplicant has no WPS switch of its own).
rec hapd-wlan0-wps-pbc hostapd_cli -p /run/hostapd -i wlan0 wps_pbc
rec wpa-wlan2-wps-pbc $W -i wlan2 wps_pbc
for _ in $(seq 60); do $W -i wlan2 status | grep -q wpa_state=COMPLETED && $W -i wlan2 list_networks | grep -q '^1' && break; sleep 1; done
rec wpa-wlan2-status-wps $W -i wlan2 status
rec wpa-wlan2-list-networks-wps $W -i wlan2 list_networks
rec wpa-wlan2-set-config-methods-empty-2 $W -i wlan2 set config_methods ""
rec wpa-wlan2-wps-pbc-empty $W -i wlan2 wps_pbc
rec wpa-wlan2-wps-cancel $W -i wlan2 wps_cancel
rec wpa-version wpa_supplicant -v
